// Package tabletest runs table tests of pure functions, so that each test
// states only its cases and the function under test, and every failure reads
// the same way: name(in) = got, want want.
package tabletest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Case is one input with what the function must give for it. A case without
// a Name runs as a subtest named by its input.
type Case[In, Out any] struct {
	Name string
	In   In
	Want Out
}

// ErrCase is one input of a function that can fail: an error containing
// WantErr when that is set, else no error and exactly Want.
type ErrCase[In any, Out comparable] struct {
	Name    string
	In      In
	Want    Out
	WantErr string
}

// Func checks f(c.In) == c.Want for every case, each as a subtest; name is
// f's name in the messages.
func Func[In any, Out comparable](t *testing.T, name string, f func(In) Out, cases []Case[In, Out]) {
	t.Helper()
	for _, c := range cases {
		run(t, c.Name, c.In, func(t *testing.T) {
			if got := f(c.In); got != c.Want {
				t.Errorf("%s(%s) = %s, want %s", name, show(c.In), show(got), show(c.Want))
			}
		})
	}
}

// Slices is Func for a function that returns a slice. A nil and an empty
// slice differ, as they do to a caller that checks for nil.
func Slices[In any, E comparable](t *testing.T, name string, f func(In) []E, cases []Case[In, []E]) {
	t.Helper()
	for _, c := range cases {
		run(t, c.Name, c.In, func(t *testing.T) {
			if got := f(c.In); !reflect.DeepEqual(got, c.Want) {
				t.Errorf("%s(%s) = %s, want %s", name, show(c.In), show(got), show(c.Want))
			}
		})
	}
}

// Pairs is Func for a function from a type to itself, with each case an
// {in, want} pair named by its input.
func Pairs[T comparable](t *testing.T, name string, f func(T) T, cases [][2]T) {
	t.Helper()
	cs := make([]Case[T, T], len(cases))
	for i, c := range cases {
		cs[i] = Case[T, T]{In: c[0], Want: c[1]}
	}
	Func(t, name, f, cs)
}

// Err checks every case of a function that returns a value and an error.
func Err[In any, Out comparable](t *testing.T, name string, f func(In) (Out, error), cases []ErrCase[In, Out]) {
	t.Helper()
	for _, c := range cases {
		run(t, c.Name, c.In, func(t *testing.T) {
			got, err := f(c.In)
			if c.WantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.WantErr) {
					t.Errorf("%s(%s) = %s, %v; want an error containing %q", name, show(c.In), show(got), err, c.WantErr)
				}
				return
			}
			if err != nil || got != c.Want {
				t.Errorf("%s(%s) = %s, %v; want %s", name, show(c.In), show(got), err, show(c.Want))
			}
		})
	}
}

// run runs check as a subtest, so that a failing case names itself and the
// others still run.
func run(t *testing.T, name string, in any, check func(*testing.T)) {
	t.Helper()
	if name == "" {
		name = fmt.Sprint(in)
	}
	t.Run(name, check)
}

// show prints text quoted, so that blanks and control characters are seen
// (strings, byte slices and slices of strings alike), and anything else
// with its field names.
func show(v any) string {
	r := reflect.ValueOf(v)
	if r.Kind() == reflect.String ||
		r.Kind() == reflect.Slice && (r.Type().Elem().Kind() == reflect.Uint8 || r.Type().Elem().Kind() == reflect.String) {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%+v", v)
}
