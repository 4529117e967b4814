package machine

import (
	"strings"
	"testing"
)

func TestNormalizeMAC(t *testing.T) {
	const want = "AABBCCDDEEFF"
	for _, tc := range []struct {
		name, in, want, wantErr string
	}{
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeMAC(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NormalizeMAC(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeMAC(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFormatMAC(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"001aa0123456", "00:1A:A0:12:34:56"},
		{"00-1A-A0-12-34-56", "00:1A:A0:12:34:56"},
		{"001A.A012.3456", "00:1A:A0:12:34:56"},
		{"not a mac", "not a mac"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := FormatMAC(tc.in); got != tc.want {
				t.Errorf("FormatMAC(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeUUID(t *testing.T) {
	const want = "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"
	for _, tc := range []struct {
		name, in, want, wantErr string
	}{
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeUUID(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NormalizeUUID(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeUUID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
