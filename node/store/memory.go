package store

import (
	"bytes"
	"sort"
	"strings"
	"sync"
)

// Memory is a KV held in memory, for tests and for tools that never persist.
type Memory struct {
	mu      sync.RWMutex
	m       map[string][]byte
	ver     map[string]uint64 // the version each key was last written at
	version uint64
	closed  bool
}

// NewMemory returns an empty in-memory KV.
func NewMemory() *Memory { return &Memory{m: map[string][]byte{}, ver: map[string]uint64{}} }

func (s *Memory) Version() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, ErrClosed
	}
	return s.version, nil
}

func (s *Memory) KeysSince(prefix []byte, since uint64, fn func(k []byte) error) error {
	return s.scan(prefix, since, func(k, _ []byte) error { return fn(k) })
}

func (s *Memory) Get(key []byte) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	v, ok := s.m[string(key)]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Keys is Scan without the values.
func (s *Memory) Keys(prefix []byte, fn func(k []byte) error) error {
	return s.Scan(prefix, func(k, _ []byte) error { return fn(k) })
}

func (s *Memory) Scan(prefix []byte, fn func(k, v []byte) error) error {
	return s.scan(prefix, 0, fn)
}

func (s *Memory) scan(prefix []byte, since uint64, fn func(k, v []byte) error) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, string(prefix)) && s.ver[k] > since {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = s.m[k]
	}
	s.mu.RUnlock()
	// Call fn without the lock so it may use the store (as Badger allows).
	for i, k := range keys {
		if err := fn([]byte(k), bytes.Clone(vals[i])); err != nil {
			return err
		}
	}
	return nil
}

type memTx struct {
	base   map[string][]byte
	writes map[string][]byte // nil value = delete
}

func (t *memTx) Get(key []byte) ([]byte, error) {
	if v, ok := t.writes[string(key)]; ok {
		if v == nil {
			return nil, ErrNotFound
		}
		return bytes.Clone(v), nil
	}
	v, ok := t.base[string(key)]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(v), nil
}

func (t *memTx) Set(key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	t.writes[string(key)] = bytes.Clone(value)
	return nil
}

func (t *memTx) Delete(key []byte) error { t.writes[string(key)] = nil; return nil }

func (s *Memory) Update(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	tx := &memTx{base: s.m, writes: map[string][]byte{}}
	if err := fn(tx); err != nil {
		return err
	}
	s.version++
	for k, v := range tx.writes {
		if v == nil {
			delete(s.m, k)
			delete(s.ver, k)
		} else {
			s.m[k], s.ver[k] = v, s.version
		}
	}
	return nil
}

func (s *Memory) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
