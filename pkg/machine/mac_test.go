package machine

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

func TestNormalizeMAC(t *testing.T) {
	const want = "AABBCCDDEEFF"
	tabletest.Err(t, "NormalizeMAC", NormalizeMAC, []tabletest.ErrCase[string, string]{
		{Name: "colons upper", In: "AA:BB:CC:DD:EE:FF", Want: want},
		{Name: "colons lower", In: "aa:bb:cc:dd:ee:ff", Want: want},
		{Name: "dashes lower (Windows ipconfig)", In: "aa-bb-cc-dd-ee-ff", Want: want},
		{Name: "bare", In: "aabbccddeeff", Want: want},
		{Name: "bare mixed case", In: "AaBbCcDdEeFf", Want: want},
		{Name: "cisco dotted", In: "AABB.CCDD.EEFF", Want: want},
		{Name: "cisco dotted lower", In: "aabb.ccdd.eeff", Want: want},
		{Name: "surrounding space", In: "  00:1a:a0:12:34:56\n", Want: "001AA0123456"},
		{Name: "empty", In: "", WantErr: `not a MAC address: "" (want 12 hex digits, e.g. AA:BB:CC:DD:EE:FF)`},
		{Name: "too short", In: "AA:BB:CC:DD:EE", WantErr: "not a MAC address"},
		{Name: "too long", In: "AABBCCDDEEFF00", WantErr: "not a MAC address"},
		{Name: "non-hex", In: "GG:BB:CC:DD:EE:FF", WantErr: "not a MAC address"},
		{Name: "bare non-hex", In: "aabbccddeefg", WantErr: "not a MAC address"},
		{Name: "mixed separators", In: "AA:BB-CC:DD:EE:FF", WantErr: "not a MAC address"},
		{Name: "misplaced separators", In: "AAB:BCC:DDE:EFF:00", WantErr: "not a MAC address"},
		{Name: "dots in colon positions", In: "AA.BB.CC.DD.EE.FF", WantErr: "not a MAC address"},
		{Name: "cisco with colons", In: "AABB:CCDD:EEFF", WantErr: "not a MAC address"},
		{Name: "EUI-64", In: "00:11:22:33:44:55:66:77", WantErr: "not a MAC address"},
		{Name: "sign in hex", In: "+abbccddeeff", WantErr: "not a MAC address"},
	})
}

func TestFormatMAC(t *testing.T) {
	tabletest.Pairs(t, "FormatMAC", FormatMAC, [][2]string{
		{"001aa0123456", "00:1A:A0:12:34:56"},
		{"00-1A-A0-12-34-56", "00:1A:A0:12:34:56"},
		{"001A.A012.3456", "00:1A:A0:12:34:56"},
		{"not a mac", "not a mac"},
		{"", ""},
	})
}

func TestNormalizeUUID(t *testing.T) {
	const want = "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"
	tabletest.Err(t, "NormalizeUUID", NormalizeUUID, []tabletest.ErrCase[string, string]{
		{Name: "dmidecode lower", In: "30d3f174-7f5d-11e1-bbda-5f0d3dbc082e", Want: want},
		{Name: "canonical", In: want, Want: want},
		{Name: "braces (registry, WMI)", In: "{30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E}", Want: want},
		{Name: "bare", In: "30d3f1747f5d11e1bbda5f0d3dbc082e", Want: want},
		{Name: "braces bare", In: "{30d3f1747f5d11e1bbda5f0d3dbc082e}", Want: want},
		{Name: "space around", In: " 30d3f174-7f5d-11e1-bbda-5f0d3dbc082e\n", Want: want},
		{Name: "empty", In: "", WantErr: `not a UUID: "" (want 32 hex digits`},
		{Name: "dashes misplaced", In: "30d3f1747-f5d-11e1-bbda-5f0d3dbc082e", WantErr: "not a UUID"},
		{Name: "non-hex", In: "30d3f174-7f5d-11e1-bbda-5f0d3dbc082g", WantErr: "not a UUID"},
		{Name: "one brace", In: "{30d3f174-7f5d-11e1-bbda-5f0d3dbc082e", WantErr: "not a UUID"},
		{Name: "short", In: "30d3f174-7f5d-11e1-bbda", WantErr: "not a UUID"},
	})
}
