package directory

import (
	"bytes"
	"strings"
	"testing"
)

func TestSIDRoundTrip(t *testing.T) {
	cases := []struct{ name, sid string }{
		{"domain user", "S-1-5-21-1004336348-1177238915-682003330-1101"},
		{"builtin users", "S-1-5-32-545"},
		{"everyone", "S-1-1-0"},
		{"no sub-authority", "S-1-5"},
		{"max sub-authority", "S-1-5-21-4294967295"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeSID(tc.sid)
			if err != nil {
				t.Fatalf("EncodeSID: %v", err)
			}
			got, err := ParseSID(b)
			if err != nil || got != tc.sid {
				t.Fatalf("ParseSID = %q, %v; want %q", got, err, tc.sid)
			}
		})
	}
	// Known bytes: S-1-5-32-544 (BUILTIN\Administrators).
	b := []byte{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0}
	if got, err := ParseSID(b); err != nil || got != "S-1-5-32-544" {
		t.Fatalf("ParseSID(known) = %q, %v", got, err)
	}
}

func TestSIDErrors(t *testing.T) {
	parse := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"short", []byte{1, 1, 0, 0, 0, 0, 0}},
		{"count beyond data", []byte{1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0}},
		{"trailing bytes", []byte{1, 0, 0, 0, 0, 0, 0, 5, 9}},
		{"revision 2", []byte{2, 0, 0, 0, 0, 0, 0, 5}},
	}
	for _, tc := range parse {
		t.Run("parse "+tc.name, func(t *testing.T) {
			if s, err := ParseSID(tc.b); err == nil {
				t.Fatalf("ParseSID(%v) = %q; want an error", tc.b, s)
			}
		})
	}
	for _, s := range []string{"", "S-1", "X-1-5", "S-2-5", "S-1-5-x", "S-1-5-4294967296", "S-1-281474976710656",
		"S-1-5" + strings.Repeat("-1", 16)} {
		t.Run("encode "+s, func(t *testing.T) {
			if b, err := EncodeSID(s); err == nil {
				t.Fatalf("EncodeSID(%q) = %v; want an error", s, b)
			}
		})
	}
}

func TestSIDFilterValue(t *testing.T) {
	if got := sidFilterValue([]byte{1, 0x28, 0x2a, 0xff}); got != `\01\28\2a\ff` {
		t.Fatalf("sidFilterValue = %q", got)
	}
}

func FuzzParseSID(f *testing.F) {
	f.Add([]byte{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0})
	f.Add([]byte{1, 255})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSID(b)
		if err != nil {
			return
		}
		back, err := EncodeSID(s)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("ParseSID(%v) = %q, EncodeSID = %v, %v", b, s, back, err)
		}
	})
}
