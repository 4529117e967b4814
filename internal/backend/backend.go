// Package backend is the registry of the flow's implementations, in the
// style of restic's backend location registry: each reader (store),
// scheduler and identity source registers a factory under a name, and
// setup builds the flow from the names it chooses. The registrations
// themselves are in one place, internal/setup/registry.go, the only file
// that imports the implementations; this package imports none of them.
package backend

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
)

// ReaderFactory opens the read side of DS for cfg; creds is nil unless the
// session runs as the technician (store.auth = technician).
type ReaderFactory func(ctx context.Context, cfg *config.Config, creds *flow.Credentials) (flow.Reader, error)

// SchedulerFactory opens the scheduler of a session whose reader is r. An
// implementation that is its own reader (the eXpress store) returns r when
// r is one of its own, so a session holds one connection.
type SchedulerFactory func(ctx context.Context, cfg *config.Config, r flow.Reader, creds *flow.Credentials) (flow.Scheduler, error)

// IdentityFactory builds an identity source from cfg, once per run: a
// source may keep state across sign-ins (the directory remembers which DC
// answered last).
type IdentityFactory func(cfg *config.Config) (flow.IdentitySource, error)

// StoreIdentityFactory binds an identity source whose accounts live in the
// store (DS console accounts) to a session's open reader.
type StoreIdentityFactory func(r flow.Reader) (flow.IdentitySource, error)

// Registry holds the factories by name. The zero value is not usable: call
// NewRegistry.
type Registry struct {
	readers         map[string]ReaderFactory
	schedulers      map[string]SchedulerFactory
	identities      map[string]IdentityFactory
	storeIdentities map[string]StoreIdentityFactory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		readers:         map[string]ReaderFactory{},
		schedulers:      map[string]SchedulerFactory{},
		identities:      map[string]IdentityFactory{},
		storeIdentities: map[string]StoreIdentityFactory{},
	}
}

// register adds f under name; a second registration of one name is a
// programming error, found by the first test that builds the registry.
func register[F any](m map[string]F, kind, name string, f F) {
	if _, dup := m[name]; dup {
		panic(fmt.Sprintf("backend: %s %q registered twice", kind, name))
	}
	m[name] = f
}

func lookup[F any](m map[string]F, kind, name string) (F, error) {
	f, ok := m[name]
	if !ok {
		return f, fmt.Errorf("no %s named %q; known: %s", kind, name, strings.Join(names(m), ", "))
	}
	return f, nil
}

func names[F any](m map[string]F) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// AddReader registers a reader (store) factory.
func (r *Registry) AddReader(name string, f ReaderFactory) { register(r.readers, "reader", name, f) }

// AddScheduler registers a scheduler factory.
func (r *Registry) AddScheduler(name string, f SchedulerFactory) {
	register(r.schedulers, "scheduler", name, f)
}

// AddIdentity registers an identity source factory.
func (r *Registry) AddIdentity(name string, f IdentityFactory) {
	register(r.identities, "identity source", name, f)
}

// AddStoreIdentity registers a store-bound identity source factory.
func (r *Registry) AddStoreIdentity(name string, f StoreIdentityFactory) {
	register(r.storeIdentities, "store identity source", name, f)
}

// Reader returns the reader factory registered as name.
func (r *Registry) Reader(name string) (ReaderFactory, error) {
	return lookup(r.readers, "reader", name)
}

// Scheduler returns the scheduler factory registered as name.
func (r *Registry) Scheduler(name string) (SchedulerFactory, error) {
	return lookup(r.schedulers, "scheduler", name)
}

// Identity returns the identity source factory registered as name.
func (r *Registry) Identity(name string) (IdentityFactory, error) {
	return lookup(r.identities, "identity source", name)
}

// StoreIdentity returns the store-bound identity source factory registered as name.
func (r *Registry) StoreIdentity(name string) (StoreIdentityFactory, error) {
	return lookup(r.storeIdentities, "store identity source", name)
}

// Names lists what is registered, by kind, for messages and tests.
func (r *Registry) Names() map[string][]string {
	return map[string][]string{
		"reader":                names(r.readers),
		"scheduler":             names(r.schedulers),
		"identity source":       names(r.identities),
		"store identity source": names(r.storeIdentities),
	}
}
