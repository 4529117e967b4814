package machine

import (
	"strings"
	"testing"
)

// text is what parsers here read: typed strings or raw bytes.
type text interface{ ~string | ~[]byte }

// parseCase is one input of a parser with what it must give: an error
// containing wantErr when that is set, else exactly want.
type parseCase[In text, Out comparable] struct {
	name    string
	in      In
	want    Out
	wantErr string
}

// checkParse runs every case through f, fn being its name in messages.
func checkParse[In text, Out comparable](t *testing.T, fn string, f func(In) (Out, error), cases []parseCase[In, Out]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s(%q) = %+v, %v; want an error containing %q", fn, tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%s(%q) = %+v, %v; want %+v", fn, tc.in, got, err, tc.want)
			}
		})
	}
}

// checkEach checks f(in) == want for every {in, want}, fn being f's name.
func checkEach(t *testing.T, fn string, f func(string) string, cases [][2]string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc[0], func(t *testing.T) {
			if got := f(tc[0]); got != tc[1] {
				t.Errorf("%s(%q) = %q, want %q", fn, tc[0], got, tc[1])
			}
		})
	}
}

func TestNormalizeMAC(t *testing.T) {
	const want = "AABBCCDDEEFF"
	checkParse(t, "NormalizeMAC", NormalizeMAC, []parseCase[string, string]{
		{name: "colons upper", in: "AA:BB:CC:DD:EE:FF", want: want},
		{name: "colons lower", in: "aa:bb:cc:dd:ee:ff", want: want},
		{name: "dashes lower (Windows ipconfig)", in: "aa-bb-cc-dd-ee-ff", want: want},
		{name: "bare", in: "aabbccddeeff", want: want},
		{name: "bare mixed case", in: "AaBbCcDdEeFf", want: want},
		{name: "cisco dotted", in: "AABB.CCDD.EEFF", want: want},
		{name: "cisco dotted lower", in: "aabb.ccdd.eeff", want: want},
		{name: "surrounding space", in: "  00:1a:a0:12:34:56\n", want: "001AA0123456"},
		{name: "empty", in: "", wantErr: `not a MAC address: "" (want 12 hex digits, e.g. AA:BB:CC:DD:EE:FF)`},
		{name: "too short", in: "AA:BB:CC:DD:EE", wantErr: "not a MAC address"},
		{name: "too long", in: "AABBCCDDEEFF00", wantErr: "not a MAC address"},
		{name: "non-hex", in: "GG:BB:CC:DD:EE:FF", wantErr: "not a MAC address"},
		{name: "bare non-hex", in: "aabbccddeefg", wantErr: "not a MAC address"},
		{name: "mixed separators", in: "AA:BB-CC:DD:EE:FF", wantErr: "not a MAC address"},
		{name: "misplaced separators", in: "AAB:BCC:DDE:EFF:00", wantErr: "not a MAC address"},
		{name: "dots in colon positions", in: "AA.BB.CC.DD.EE.FF", wantErr: "not a MAC address"},
		{name: "cisco with colons", in: "AABB:CCDD:EEFF", wantErr: "not a MAC address"},
		{name: "EUI-64", in: "00:11:22:33:44:55:66:77", wantErr: "not a MAC address"},
		{name: "sign in hex", in: "+abbccddeeff", wantErr: "not a MAC address"},
	})
}

func TestFormatMAC(t *testing.T) {
	checkEach(t, "FormatMAC", FormatMAC, [][2]string{
		{"001aa0123456", "00:1A:A0:12:34:56"},
		{"00-1A-A0-12-34-56", "00:1A:A0:12:34:56"},
		{"001A.A012.3456", "00:1A:A0:12:34:56"},
		{"not a mac", "not a mac"},
		{"", ""},
	})
}

func TestNormalizeUUID(t *testing.T) {
	const want = "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"
	checkParse(t, "NormalizeUUID", NormalizeUUID, []parseCase[string, string]{
		{name: "dmidecode lower", in: "30d3f174-7f5d-11e1-bbda-5f0d3dbc082e", want: want},
		{name: "canonical", in: want, want: want},
		{name: "braces (registry, WMI)", in: "{30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E}", want: want},
		{name: "bare", in: "30d3f1747f5d11e1bbda5f0d3dbc082e", want: want},
		{name: "braces bare", in: "{30d3f1747f5d11e1bbda5f0d3dbc082e}", want: want},
		{name: "space around", in: " 30d3f174-7f5d-11e1-bbda-5f0d3dbc082e\n", want: want},
		{name: "empty", in: "", wantErr: `not a UUID: "" (want 32 hex digits`},
		{name: "dashes misplaced", in: "30d3f1747-f5d-11e1-bbda-5f0d3dbc082e", wantErr: "not a UUID"},
		{name: "non-hex", in: "30d3f174-7f5d-11e1-bbda-5f0d3dbc082g", wantErr: "not a UUID"},
		{name: "one brace", in: "{30d3f174-7f5d-11e1-bbda-5f0d3dbc082e", wantErr: "not a UUID"},
		{name: "short", in: "30d3f174-7f5d-11e1-bbda", wantErr: "not a UUID"},
	})
}
