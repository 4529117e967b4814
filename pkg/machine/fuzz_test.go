package machine

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var canonicalUUID = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)

// FuzzParseSMBIOS feeds the parser arbitrary tables. Seeds are the three real
// dumps in testdata/smbios and the malformed shapes from the table tests.
// Besides not panicking, whatever comes out must be fit to show and store.
func FuzzParseSMBIOS(f *testing.F) {
	for _, tc := range realDumps {
		d := loadDump(f, tc.name)
		f.Add(d.table, uint8(d.ep.Major), uint8(d.ep.Minor))
	}
	f.Add([]byte{1, 0x1B}, uint8(2), uint8(8))
	f.Add([]byte{1, 3, 0, 0, 0, 0}, uint8(2), uint8(8))
	f.Add(type1(someUUID, [4]byte{1, 2, 0, 9}, "Dell Inc."), uint8(2), uint8(5))
	f.Add(cat(type1(someUUID, [4]byte{1, 2, 3, 4}, "a", "b", "c", "d"), type3(1, "x"), endOfTable), uint8(3), uint8(4))

	f.Fuzz(func(t *testing.T, table []byte, major, minor uint8) {
		info, err := ParseSMBIOS(table, int(major), int(minor))
		if err != nil && !strings.Contains(err.Error(), "malformed SMBIOS table") {
			t.Fatalf("error without the malformed marker: %v", err)
		}
		if info.UUID != "" && !canonicalUUID.MatchString(info.UUID) {
			t.Fatalf("UUID %q not canonical", info.UUID)
		}
		for _, s := range []string{info.Manufacturer, info.ProductName, info.Version, info.Serial, info.AssetTag} {
			if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
				t.Fatalf("field %q is not clean UTF-8", s)
			}
			for _, r := range s {
				if r < 0x20 || r == 0x7F {
					t.Fatalf("field %q holds control character %U", s, r)
				}
			}
		}
		if info.Structures > len(table)/(headerLen+2)+1 {
			t.Fatalf("%d structures in %d bytes", info.Structures, len(table))
		}
	})
}

// FuzzNormalizeMAC checks NormalizeMAC never panics, only ever yields the DS
// form, and that FormatMAC's output normalizes back to the same value.
func FuzzNormalizeMAC(f *testing.F) {
	for _, s := range []string{"AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabbccddeeff", "AABB.CCDD.EEFF", "", "AA:BB-CC:DD:EE:FF"} {
		f.Add(s)
	}
	ds := regexp.MustCompile(`^[0-9A-F]{12}$`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeMAC(s)
		if err != nil {
			if FormatMAC(s) != s {
				t.Fatalf("FormatMAC changed invalid input %q", s)
			}
			return
		}
		if !ds.MatchString(n) {
			t.Fatalf("NormalizeMAC(%q) = %q", s, n)
		}
		back, err := NormalizeMAC(FormatMAC(s))
		if err != nil || back != n {
			t.Fatalf("round trip of %q: %q, %v", s, back, err)
		}
	})
}
