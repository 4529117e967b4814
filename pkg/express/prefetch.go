package express

import (
	"context"
	"sync"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// prefetchSlot holds what Prefetch read until the next Snapshot takes it.
type prefetchSlot struct {
	mu  sync.Mutex
	pre *prefetched
}

// prefetched is what Prefetch read for one computer and options.
type prefetched struct {
	computer       model.Computer
	opts           model.SnapshotOptions
	withPrincipals bool
	principals     []model.ConsolePrincipal
	members        []model.Membership
	groups         map[int64]model.ComputerGroup
}

// Prefetch reads, before anyone signs in (while the password is typed),
// what tells the next Snapshot of computer c which permission links it
// will need: DS's console users and groups and the computer's group
// chain. That Snapshot then sends the links statement with its first batch,
// in one round trip instead of two.
//
// Nothing read here is decided on. DS keeps no modification time or
// version on these tables (docs/ds-schema.md), so nothing could tell
// whether they changed since; the Snapshot reads its first batch afresh
// after Enter, and keeps the links read with it only when the fresh
// principals and group chain ask for exactly the links that were read,
// else it reads them again (one more round trip). A Snapshot takes the
// prefetched part once; closing the store drops it.
func (s *Store) Prefetch(ctx context.Context, c model.Computer, opts model.SnapshotOptions) error {
	opts = snapshotDefaults(opts)
	if err := checkSecurityMode(opts.ConsoleSecurity); err != nil {
		return err
	}
	if err := s.ready(ctx); err != nil {
		return err
	}
	cm := newCommon()
	var stmts []stmt
	for _, st := range s.commonStmts(c, opts, cm) {
		if st.op == opPrincipals || st.op == opGroups {
			stmts = append(stmts, st)
		}
	}
	if err := s.runBatch(ctx, s.db, nil, stmts); err != nil {
		return err
	}
	s.pre.mu.Lock()
	defer s.pre.mu.Unlock()
	s.pre.pre = &prefetched{computer: c, opts: opts, withPrincipals: cm.withPrincipals, principals: cm.principals, members: cm.members, groups: cm.groups}
	return nil
}

// takePrefetch returns (and forgets) what Prefetch read for c and opts;
// nil when it read nothing for them.
func (s *Store) takePrefetch(c model.Computer, opts model.SnapshotOptions) *prefetched {
	s.pre.mu.Lock()
	defer s.pre.mu.Unlock()
	p := s.pre.pre
	s.pre.pre = nil
	if p == nil || p.computer.ID != c.ID || p.computer.GroupID != c.GroupID || p.opts != opts {
		return nil
	}
	return p
}
