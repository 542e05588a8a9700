export namespace app {
	
	export class AgreementInput {
	    replaces: string;
	    title: string;
	    text: string;
	    purposes: string[];
	    recipients: string[];
	    standard: string;
	    extended: string;
	    retention: string;
	    jurisdiction: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new AgreementInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.replaces = source["replaces"];
	        this.title = source["title"];
	        this.text = source["text"];
	        this.purposes = source["purposes"];
	        this.recipients = source["recipients"];
	        this.standard = source["standard"];
	        this.extended = source["extended"];
	        this.retention = source["retention"];
	        this.jurisdiction = source["jurisdiction"];
	        this.language = source["language"];
	    }
	}
	export class DiffLineView {
	    op: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new DiffLineView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.op = source["op"];
	        this.text = source["text"];
	    }
	}
	export class RoyaltyView {
	    standard: string;
	    extended: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new RoyaltyView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.standard = source["standard"];
	        this.extended = source["extended"];
	        this.text = source["text"];
	    }
	}
	export class PurposeView {
	    id: string;
	    label: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new PurposeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.description = source["description"];
	    }
	}
	export class AgreementVersionView {
	    id: string;
	    agreement: string;
	    number: number;
	    title: string;
	    text: string;
	    textDigest: string;
	    purposes: PurposeView[];
	    recipients: string[];
	    royalty: RoyaltyView;
	    retention: string;
	    jurisdiction: string;
	    language: string;
	    adoptedBy: string;
	    adoptedAt: string;
	    current: boolean;
	    changes: DiffLineView[];
	    terms: string[];
	    mine: string;
	    mineReceipt: string;
	
	    static createFrom(source: any = {}) {
	        return new AgreementVersionView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agreement = source["agreement"];
	        this.number = source["number"];
	        this.title = source["title"];
	        this.text = source["text"];
	        this.textDigest = source["textDigest"];
	        this.purposes = this.convertValues(source["purposes"], PurposeView);
	        this.recipients = source["recipients"];
	        this.royalty = this.convertValues(source["royalty"], RoyaltyView);
	        this.retention = source["retention"];
	        this.jurisdiction = source["jurisdiction"];
	        this.language = source["language"];
	        this.adoptedBy = source["adoptedBy"];
	        this.adoptedAt = source["adoptedAt"];
	        this.current = source["current"];
	        this.changes = this.convertValues(source["changes"], DiffLineView);
	        this.terms = source["terms"];
	        this.mine = source["mine"];
	        this.mineReceipt = source["mineReceipt"];
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
	export class AgreementView {
	    id: string;
	    title: string;
	    current: string;
	    versions: AgreementVersionView[];
	
	    static createFrom(source: any = {}) {
	        return new AgreementView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.current = source["current"];
	        this.versions = this.convertValues(source["versions"], AgreementVersionView);
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
	export class AwaitingCloseView {
	    record: string;
	    by: string;
	    tellers: string[];
	    need: number;
	
	    static createFrom(source: any = {}) {
	        return new AwaitingCloseView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.record = source["record"];
	        this.by = source["by"];
	        this.tellers = source["tellers"];
	        this.need = source["need"];
	    }
	}
	export class VoteInput {
	    position: string;
	    reason: string;
	    choices: number[];
	    points: number[];
	
	    static createFrom(source: any = {}) {
	        return new VoteInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.position = source["position"];
	        this.reason = source["reason"];
	        this.choices = source["choices"];
	        this.points = source["points"];
	    }
	}
	export class BallotView {
	    id: string;
	    voter: string;
	    voterId: string;
	    cast: string;
	    vote: VoteInput;
	    counted: boolean;
	    why: string;
	    proxies: string[];
	
	    static createFrom(source: any = {}) {
	        return new BallotView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.voter = source["voter"];
	        this.voterId = source["voterId"];
	        this.cast = source["cast"];
	        this.vote = this.convertValues(source["vote"], VoteInput);
	        this.counted = source["counted"];
	        this.why = source["why"];
	        this.proxies = source["proxies"];
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
	export class BundleTransferView {
	    id: string;
	    kind: string;
	    path: string;
	    phase: string;
	    step: number;
	    steps: number;
	    records: number;
	    total: number;
	    bytes: number;
	    size: number;
	    finished: boolean;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new BundleTransferView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.kind = source["kind"];
	        this.path = source["path"];
	        this.phase = source["phase"];
	        this.step = source["step"];
	        this.steps = source["steps"];
	        this.records = source["records"];
	        this.total = source["total"];
	        this.bytes = source["bytes"];
	        this.size = source["size"];
	        this.finished = source["finished"];
	        this.error = source["error"];
	    }
	}
	export class BylawsChangeView {
	    what: string;
	    name: string;
	    label: string;
	    change: string;
	    before: string;
	    after: string;
	    note: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new BylawsChangeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.what = source["what"];
	        this.name = source["name"];
	        this.label = source["label"];
	        this.change = source["change"];
	        this.before = source["before"];
	        this.after = source["after"];
	        this.note = source["note"];
	        this.text = source["text"];
	    }
	}
	export class DecisionRuleInput {
	    quorum: string;
	    threshold: string;
	    methods: string[];
	
	    static createFrom(source: any = {}) {
	        return new DecisionRuleInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.quorum = source["quorum"];
	        this.threshold = source["threshold"];
	        this.methods = source["methods"];
	    }
	}
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
	export class BylawsInput {
	    text: string;
	    quorum: string;
	    threshold: string;
	    classes: MemberClassView[];
	    admissionRule: string;
	    admitRoles: string[];
	    methods: string[];
	    closeGraceHours: number;
	    tellers: number;
	    maxSkewMinutes: number;
	    special: Record<string, DecisionRuleInput>;
	
	    static createFrom(source: any = {}) {
	        return new BylawsInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.quorum = source["quorum"];
	        this.threshold = source["threshold"];
	        this.classes = this.convertValues(source["classes"], MemberClassView);
	        this.admissionRule = source["admissionRule"];
	        this.admitRoles = source["admitRoles"];
	        this.methods = source["methods"];
	        this.closeGraceHours = source["closeGraceHours"];
	        this.tellers = source["tellers"];
	        this.maxSkewMinutes = source["maxSkewMinutes"];
	        this.special = this.convertValues(source["special"], DecisionRuleInput, true);
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
	export class DecisionRuleView {
	    quorum: Ratio;
	    threshold: Ratio;
	    methods: string[];
	
	    static createFrom(source: any = {}) {
	        return new DecisionRuleView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.quorum = this.convertValues(source["quorum"], Ratio);
	        this.threshold = this.convertValues(source["threshold"], Ratio);
	        this.methods = source["methods"];
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
	    methods: string[];
	    closeGraceHours: number;
	    tellers: number;
	    tellersAdvice: string;
	    maxSkewMinutes: number;
	    adoptedBy: string;
	    adoptedAt: string;
	    special: Record<string, DecisionRuleView>;
	
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
	        this.methods = source["methods"];
	        this.closeGraceHours = source["closeGraceHours"];
	        this.tellers = source["tellers"];
	        this.tellersAdvice = source["tellersAdvice"];
	        this.maxSkewMinutes = source["maxSkewMinutes"];
	        this.adoptedBy = source["adoptedBy"];
	        this.adoptedAt = source["adoptedAt"];
	        this.special = this.convertValues(source["special"], DecisionRuleView, true);
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
	export class ScopeView {
	    grant: string;
	    purposes: string[];
	    items: string[];
	    itemTitles: string[];
	    categories: string[];
	    recipients: string[];
	    validUntil: string;
	
	    static createFrom(source: any = {}) {
	        return new ScopeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.grant = source["grant"];
	        this.purposes = source["purposes"];
	        this.items = source["items"];
	        this.itemTitles = source["itemTitles"];
	        this.categories = source["categories"];
	        this.recipients = source["recipients"];
	        this.validUntil = source["validUntil"];
	    }
	}
	export class ConsentDetailView {
	    id: string;
	    record: string;
	    event: string;
	    status: string;
	    current: string;
	    active: boolean;
	    agreement: string;
	    agreementTitle: string;
	    version: string;
	    versionNumber: number;
	    purposes: string[];
	    items: string[];
	    itemTitles: string[];
	    categories: string[];
	    recipients: string[];
	    validFrom: string;
	    validUntil: string;
	    time: string;
	    withdraws: string;
	    withdrawnBy: string;
	    reason: string;
	    ends?: ScopeView;
	    document: string;
	
	    static createFrom(source: any = {}) {
	        return new ConsentDetailView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.record = source["record"];
	        this.event = source["event"];
	        this.status = source["status"];
	        this.current = source["current"];
	        this.active = source["active"];
	        this.agreement = source["agreement"];
	        this.agreementTitle = source["agreementTitle"];
	        this.version = source["version"];
	        this.versionNumber = source["versionNumber"];
	        this.purposes = source["purposes"];
	        this.items = source["items"];
	        this.itemTitles = source["itemTitles"];
	        this.categories = source["categories"];
	        this.recipients = source["recipients"];
	        this.validFrom = source["validFrom"];
	        this.validUntil = source["validUntil"];
	        this.time = source["time"];
	        this.withdraws = source["withdraws"];
	        this.withdrawnBy = source["withdrawnBy"];
	        this.reason = source["reason"];
	        this.ends = this.convertValues(source["ends"], ScopeView);
	        this.document = source["document"];
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
	export class ConsentInput {
	    version: string;
	    items: string[];
	    categories: string[];
	    purposes: string[];
	    recipients: string[];
	    validUntil: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new ConsentInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.items = source["items"];
	        this.categories = source["categories"];
	        this.purposes = source["purposes"];
	        this.recipients = source["recipients"];
	        this.validUntil = source["validUntil"];
	        this.reason = source["reason"];
	    }
	}
	export class VersionHits {
	    version: string;
	    receipts: number;
	
	    static createFrom(source: any = {}) {
	        return new VersionHits(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.receipts = source["receipts"];
	    }
	}
	export class ConsentUse {
	    principal: string;
	    receipt: string;
	    version: string;
	    items: string[];
	    categories: string[];
	    until: string;
	
	    static createFrom(source: any = {}) {
	        return new ConsentUse(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.principal = source["principal"];
	        this.receipt = source["receipt"];
	        this.version = source["version"];
	        this.items = source["items"];
	        this.categories = source["categories"];
	        this.until = source["until"];
	    }
	}
	export class ConsentQueryView {
	    purpose: string;
	    recipient: string;
	    at: string;
	    members: number;
	    items: number;
	    receipts: number;
	    uses: ConsentUse[];
	    took: string;
	    versions: VersionHits[];
	
	    static createFrom(source: any = {}) {
	        return new ConsentQueryView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.purpose = source["purpose"];
	        this.recipient = source["recipient"];
	        this.at = source["at"];
	        this.members = source["members"];
	        this.items = source["items"];
	        this.receipts = source["receipts"];
	        this.uses = this.convertValues(source["uses"], ConsentUse);
	        this.took = source["took"];
	        this.versions = this.convertValues(source["versions"], VersionHits);
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
	
	export class ConsentView {
	    id: string;
	    record: string;
	    event: string;
	    status: string;
	    current: string;
	    active: boolean;
	    agreement: string;
	    agreementTitle: string;
	    version: string;
	    versionNumber: number;
	    purposes: string[];
	    items: string[];
	    itemTitles: string[];
	    categories: string[];
	    recipients: string[];
	    validFrom: string;
	    validUntil: string;
	    time: string;
	    withdraws: string;
	    withdrawnBy: string;
	    reason: string;
	    ends?: ScopeView;
	
	    static createFrom(source: any = {}) {
	        return new ConsentView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.record = source["record"];
	        this.event = source["event"];
	        this.status = source["status"];
	        this.current = source["current"];
	        this.active = source["active"];
	        this.agreement = source["agreement"];
	        this.agreementTitle = source["agreementTitle"];
	        this.version = source["version"];
	        this.versionNumber = source["versionNumber"];
	        this.purposes = source["purposes"];
	        this.items = source["items"];
	        this.itemTitles = source["itemTitles"];
	        this.categories = source["categories"];
	        this.recipients = source["recipients"];
	        this.validFrom = source["validFrom"];
	        this.validUntil = source["validUntil"];
	        this.time = source["time"];
	        this.withdraws = source["withdraws"];
	        this.withdrawnBy = source["withdrawnBy"];
	        this.reason = source["reason"];
	        this.ends = this.convertValues(source["ends"], ScopeView);
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
	export class DataExportView {
	    item: string;
	    path: string;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new DataExportView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.item = source["item"];
	        this.path = source["path"];
	        this.bytes = source["bytes"];
	    }
	}
	export class PurposeStatusView {
	    purpose: string;
	    label: string;
	    agreement: string;
	    agreementTitle: string;
	    version: string;
	    versionNumber: number;
	    allowed: boolean;
	    status: string;
	    receipt: string;
	    until: string;
	
	    static createFrom(source: any = {}) {
	        return new PurposeStatusView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.purpose = source["purpose"];
	        this.label = source["label"];
	        this.agreement = source["agreement"];
	        this.agreementTitle = source["agreementTitle"];
	        this.version = source["version"];
	        this.versionNumber = source["versionNumber"];
	        this.allowed = source["allowed"];
	        this.status = source["status"];
	        this.receipt = source["receipt"];
	        this.until = source["until"];
	    }
	}
	export class DataItemView {
	    id: string;
	    title: string;
	    fileName: string;
	    mediaType: string;
	    size: number;
	    tags: string[];
	    added: string;
	    purposes: PurposeStatusView[];
	
	    static createFrom(source: any = {}) {
	        return new DataItemView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.fileName = source["fileName"];
	        this.mediaType = source["mediaType"];
	        this.size = source["size"];
	        this.tags = source["tags"];
	        this.added = source["added"];
	        this.purposes = this.convertValues(source["purposes"], PurposeStatusView);
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
	
	
	export class DelegationView {
	    id: string;
	    delegate: string;
	    delegateId: string;
	    proposal: string;
	    kind: string;
	    scope: string;
	
	    static createFrom(source: any = {}) {
	        return new DelegationView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.delegate = source["delegate"];
	        this.delegateId = source["delegateId"];
	        this.proposal = source["proposal"];
	        this.kind = source["kind"];
	        this.scope = source["scope"];
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
	export class HeldView {
	    id: string;
	    type: string;
	    time: string;
	    due: string;
	
	    static createFrom(source: any = {}) {
	        return new HeldView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.type = source["type"];
	        this.time = source["time"];
	        this.due = source["due"];
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
	    invite: string;
	
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
	        this.invite = source["invite"];
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
	export class ProposalView {
	    id: string;
	    title: string;
	    body: string;
	    kind: string;
	    method: string;
	    options: string[];
	    seats: number;
	    dots: number;
	    maxScore: number;
	    quorum: Ratio;
	    threshold: Ratio;
	    classes: string[];
	    author: string;
	    authorId: string;
	    opened: string;
	    closes: string;
	    status: string;
	    eligible: number;
	    voted: number;
	    result?: tally.Result;
	    hidden: boolean;
	    hiddenNotice: string;
	    myVote?: VoteInput;
	    myProxy: string;
	    canVote: boolean;
	    canClose: boolean;
	    closeNote: string;
	    closedBy: string;
	    closedAt: string;
	    closeRecord: string;
	    tellers: number;
	    awaiting: AwaitingCloseView[];
	    effect: string;
	    subject: string;
	    class: string;
	    roles: string[];
	    bylaws?: BylawsInput;
	    bylawsBase: string;
	    bylawsChanges: BylawsChangeView[];
	    bylawsTextDiff: DiffLineView[];
	    warnings: string[];
	    agreement?: AgreementInput;
	    ballots: BallotView[];
	
	    static createFrom(source: any = {}) {
	        return new ProposalView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.body = source["body"];
	        this.kind = source["kind"];
	        this.method = source["method"];
	        this.options = source["options"];
	        this.seats = source["seats"];
	        this.dots = source["dots"];
	        this.maxScore = source["maxScore"];
	        this.quorum = this.convertValues(source["quorum"], Ratio);
	        this.threshold = this.convertValues(source["threshold"], Ratio);
	        this.classes = source["classes"];
	        this.author = source["author"];
	        this.authorId = source["authorId"];
	        this.opened = source["opened"];
	        this.closes = source["closes"];
	        this.status = source["status"];
	        this.eligible = source["eligible"];
	        this.voted = source["voted"];
	        this.result = this.convertValues(source["result"], tally.Result);
	        this.hidden = source["hidden"];
	        this.hiddenNotice = source["hiddenNotice"];
	        this.myVote = this.convertValues(source["myVote"], VoteInput);
	        this.myProxy = source["myProxy"];
	        this.canVote = source["canVote"];
	        this.canClose = source["canClose"];
	        this.closeNote = source["closeNote"];
	        this.closedBy = source["closedBy"];
	        this.closedAt = source["closedAt"];
	        this.closeRecord = source["closeRecord"];
	        this.tellers = source["tellers"];
	        this.awaiting = this.convertValues(source["awaiting"], AwaitingCloseView);
	        this.effect = source["effect"];
	        this.subject = source["subject"];
	        this.class = source["class"];
	        this.roles = source["roles"];
	        this.bylaws = this.convertValues(source["bylaws"], BylawsInput);
	        this.bylawsBase = source["bylawsBase"];
	        this.bylawsChanges = this.convertValues(source["bylawsChanges"], BylawsChangeView);
	        this.bylawsTextDiff = this.convertValues(source["bylawsTextDiff"], DiffLineView);
	        this.warnings = source["warnings"];
	        this.agreement = this.convertValues(source["agreement"], AgreementInput);
	        this.ballots = this.convertValues(source["ballots"], BallotView);
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
	export class ProposeInput {
	    title: string;
	    body: string;
	    kind: string;
	    method: string;
	    options: string[];
	    seats: number;
	    dots: number;
	    maxScore: number;
	    quorum: string;
	    threshold: string;
	    classes: string[];
	    closes: string;
	    hours: number;
	    hideResults: boolean;
	    member: string;
	    request: string;
	    class: string;
	    roles: string[];
	    bylaws?: BylawsInput;
	    agreement?: AgreementInput;
	
	    static createFrom(source: any = {}) {
	        return new ProposeInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.title = source["title"];
	        this.body = source["body"];
	        this.kind = source["kind"];
	        this.method = source["method"];
	        this.options = source["options"];
	        this.seats = source["seats"];
	        this.dots = source["dots"];
	        this.maxScore = source["maxScore"];
	        this.quorum = source["quorum"];
	        this.threshold = source["threshold"];
	        this.classes = source["classes"];
	        this.closes = source["closes"];
	        this.hours = source["hours"];
	        this.hideResults = source["hideResults"];
	        this.member = source["member"];
	        this.request = source["request"];
	        this.class = source["class"];
	        this.roles = source["roles"];
	        this.bylaws = this.convertValues(source["bylaws"], BylawsInput);
	        this.agreement = this.convertValues(source["agreement"], AgreementInput);
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
	
	
	
	
	
	
	export class SignalsView {
	    item: string;
	    contentUsage: string;
	    robotsTxt: string;
	    tdmRep: string;
	    trainingMining: string;
	    explanation: string;
	
	    static createFrom(source: any = {}) {
	        return new SignalsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.item = source["item"];
	        this.contentUsage = source["contentUsage"];
	        this.robotsTxt = source["robotsTxt"];
	        this.tdmRep = source["tdmRep"];
	        this.trainingMining = source["trainingMining"];
	        this.explanation = source["explanation"];
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
	    held?: HeldView[];
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
	        this.held = this.convertValues(source["held"], HeldView);
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
	export class TransferView {
	    id: string;
	    name: string;
	    source: string;
	    direction: string;
	    done: number;
	    total: number;
	    finished: boolean;
	    error: string;
	    item: string;
	
	    static createFrom(source: any = {}) {
	        return new TransferView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.source = source["source"];
	        this.direction = source["direction"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.finished = source["finished"];
	        this.error = source["error"];
	        this.item = source["item"];
	    }
	}
	

}

export namespace exact {
	
	export class Ratio {
	    num: number;
	    den: number;
	
	    static createFrom(source: any = {}) {
	        return new Ratio(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.num = source["num"];
	        this.den = source["den"];
	    }
	}

}

export namespace tally {
	
	export class PositionCount {
	    position: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new PositionCount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.position = source["position"];
	        this.count = source["count"];
	    }
	}
	export class Round {
	    votes: string[];
	    elected?: number[];
	    eliminated?: number[];
	    exhausted: string;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new Round(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.votes = source["votes"];
	        this.elected = source["elected"];
	        this.eliminated = source["eliminated"];
	        this.exhausted = source["exhausted"];
	        this.note = source["note"];
	    }
	}
	export class Result {
	    method: string;
	    outcome: string;
	    eligible: number;
	    cast: number;
	    positions?: PositionCount[];
	    totals?: number[];
	    winners?: number[];
	    participation: exact.Ratio;
	    support?: exact.Ratio;
	    rounds?: Round[];
	    quota?: number;
	    why: string;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.method = source["method"];
	        this.outcome = source["outcome"];
	        this.eligible = source["eligible"];
	        this.cast = source["cast"];
	        this.positions = this.convertValues(source["positions"], PositionCount);
	        this.totals = source["totals"];
	        this.winners = source["winners"];
	        this.participation = this.convertValues(source["participation"], exact.Ratio);
	        this.support = this.convertValues(source["support"], exact.Ratio);
	        this.rounds = this.convertValues(source["rounds"], Round);
	        this.quota = source["quota"];
	        this.why = source["why"];
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

