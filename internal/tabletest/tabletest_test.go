package tabletest

import "testing"

// Text is quoted so blanks and control characters show; other values keep
// their field names.
func TestShow(t *testing.T) {
	type pair struct{ A, B int }
	type name string
	Func(t, "show", show, []Case[any, string]{
		{Name: "string", In: "a b\t", Want: `"a b\t"`},
		{Name: "named string", In: name("x"), Want: `"x"`},
		{Name: "bytes", In: []byte("\x00z"), Want: `"\x00z"`},
		{Name: "strings", In: []string{"a", ""}, Want: `["a" ""]`},
		{Name: "struct", In: pair{1, 2}, Want: "{A:1 B:2}"},
		{Name: "nil", In: nil, Want: "<nil>"},
	})
}
