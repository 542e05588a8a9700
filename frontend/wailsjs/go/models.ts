export namespace app {
	
	export class MemberClassView {
	    name: string;
	    description: string;
	    votes: boolean;
	
	    static createFrom(source: any = {}) {
	        return new MemberClassView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.description = source["description"];
	        this.votes = source["votes"];
	    }
	}
	export class Ratio {
	    num: number;
	    den: number;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Ratio(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.num = source["num"];
	        this.den = source["den"];
	        this.text = source["text"];
	    }
	}
	export class BylawsView {
	    text: string;
	    votingRule: string;
	    quorum: Ratio;
	    threshold: Ratio;
	    classes: MemberClassView[];
	    admissionRule: string;
	    admitRoles: string[];
	    adoptedBy: string;
	    adoptedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new BylawsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.votingRule = source["votingRule"];
	        this.quorum = this.convertValues(source["quorum"], Ratio);
	        this.threshold = this.convertValues(source["threshold"], Ratio);
	        this.classes = this.convertValues(source["classes"], MemberClassView);
	        this.admissionRule = source["admissionRule"];
	        this.admitRoles = source["admitRoles"];
	        this.adoptedBy = source["adoptedBy"];
	        this.adoptedAt = source["adoptedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CoopView {
	    id: string;
	    name: string;
	    founded: string;
	    members: number;
	
	    static createFrom(source: any = {}) {
	        return new CoopView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.founded = source["founded"];
	        this.members = source["members"];
	    }
	}
	export class ExportView {
	    path: string;
	    records: number;
	    skipped: number;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new ExportView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.records = source["records"];
	        this.skipped = source["skipped"];
	        this.bytes = source["bytes"];
	    }
	}
	export class IdentityView {
	    memberId: string;
	    name: string;
	    memberKey: string;
	    deviceKey: string;
	    class: string;
	    roles: string[];
	
	    static createFrom(source: any = {}) {
	        return new IdentityView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.memberId = source["memberId"];
	        this.name = source["name"];
	        this.memberKey = source["memberKey"];
	        this.deviceKey = source["deviceKey"];
	        this.class = source["class"];
	        this.roles = source["roles"];
	    }
	}
	export class ImportView {
	    path: string;
	    read: number;
	    added: number;
	    had: number;
	    pending: number;
	    invalid: number;
	
	    static createFrom(source: any = {}) {
	        return new ImportView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.read = source["read"];
	        this.added = source["added"];
	        this.had = source["had"];
	        this.pending = source["pending"];
	        this.invalid = source["invalid"];
	    }
	}
	export class InviteView {
	    text: string;
	    qr: string;
	    id: string;
	    expires: string;
	    addrs: string[];
	
	    static createFrom(source: any = {}) {
	        return new InviteView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.qr = source["qr"];
	        this.id = source["id"];
	        this.expires = source["expires"];
	        this.addrs = source["addrs"];
	    }
	}
	export class JoinRequestView {
	    id: string;
	    name: string;
	    deviceLabel: string;
	    memberKey: string;
	    requested: string;
	    admitted: boolean;
	    mayAdmit: boolean;
	    why: string;
	
	    static createFrom(source: any = {}) {
	        return new JoinRequestView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.deviceLabel = source["deviceLabel"];
	        this.memberKey = source["memberKey"];
	        this.requested = source["requested"];
	        this.admitted = source["admitted"];
	        this.mayAdmit = source["mayAdmit"];
	        this.why = source["why"];
	    }
	}
	export class JoinView {
	    request: string;
	    coop: string;
	    coopId: string;
	    inviter: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new JoinView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.request = source["request"];
	        this.coop = source["coop"];
	        this.coopId = source["coopId"];
	        this.inviter = source["inviter"];
	        this.message = source["message"];
	    }
	}
	
	export class MemberView {
	    id: string;
	    name: string;
	    class: string;
	    roles: string[];
	    admitted: string;
	    admittedBy: string;
	    devices: number;
	    founder: boolean;
	    me: boolean;
	    left: string;
	
	    static createFrom(source: any = {}) {
	        return new MemberView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.class = source["class"];
	        this.roles = source["roles"];
	        this.admitted = source["admitted"];
	        this.admittedBy = source["admittedBy"];
	        this.devices = source["devices"];
	        this.founder = source["founder"];
	        this.me = source["me"];
	        this.left = source["left"];
	    }
	}
	export class NetworkView {
	    peerId: string;
	    addrs: string[];
	    connected: number;
	    refusedHandshakes: number;
	
	    static createFrom(source: any = {}) {
	        return new NetworkView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.addrs = source["addrs"];
	        this.connected = source["connected"];
	        this.refusedHandshakes = source["refusedHandshakes"];
	    }
	}
	export class RefusalView {
	    reason: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new RefusalView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.reason = source["reason"];
	        this.count = source["count"];
	    }
	}
	export class PeerView {
	    peerId: string;
	    deviceKey: string;
	    member: string;
	    connected: boolean;
	    via: string[];
	    addrs: string[];
	    lastSync: string;
	    sent: number;
	    received: number;
	    refused: RefusalView[];
	    bannedUntil: string;
	    lastError: string;
	
	    static createFrom(source: any = {}) {
	        return new PeerView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.deviceKey = source["deviceKey"];
	        this.member = source["member"];
	        this.connected = source["connected"];
	        this.via = source["via"];
	        this.addrs = source["addrs"];
	        this.lastSync = source["lastSync"];
	        this.sent = source["sent"];
	        this.received = source["received"];
	        this.refused = this.convertValues(source["refused"], RefusalView);
	        this.bannedUntil = source["bannedUntil"];
	        this.lastError = source["lastError"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class StatusView {
	    state: string;
	    home: string;
	    version: string;
	    coop?: CoopView;
	    me?: IdentityView;
	    digest: string;
	    records: number;
	    pending: number;
	    needsNewer: number;
	    problems: string[];
	    joinRequest?: string;
	    network?: NetworkView;
	
	    static createFrom(source: any = {}) {
	        return new StatusView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.home = source["home"];
	        this.version = source["version"];
	        this.coop = this.convertValues(source["coop"], CoopView);
	        this.me = this.convertValues(source["me"], IdentityView);
	        this.digest = source["digest"];
	        this.records = source["records"];
	        this.pending = source["pending"];
	        this.needsNewer = source["needsNewer"];
	        this.problems = source["problems"];
	        this.joinRequest = source["joinRequest"];
	        this.network = this.convertValues(source["network"], NetworkView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

