package machine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

const dumpDir = "../../testdata/smbios"

// dump is one real machine's `dmidecode --dump-bin` file split into its parts.
type dump struct {
	file  []byte
	entry []byte // the entry point, as /sys/firmware/dmi/tables/smbios_entry_point holds it
	table []byte // the structure table, as /sys/firmware/dmi/tables/DMI holds it
	ep    EntryPoint
}

// loadDump splits a --dump-bin file: dmidecode writes the entry point padded
// to 32 bytes, with the table address rewritten to 0x20, and the table after.
func loadDump(t testing.TB, name string) dump {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dumpDir, name+".bin"))
	if err != nil {
		t.Fatalf("read dump: %v", err)
	}
	ep, err := ParseEntryPoint(b)
	if err != nil {
		t.Fatalf("entry point of %s: %v", name, err)
	}
	if ep.TableAddress != 0x20 {
		t.Fatalf("%s: table address %#x, want 0x20 (dmidecode --dump-bin layout)", name, ep.TableAddress)
	}
	end := min(uint64(len(b)), 0x20+uint64(ep.TableLength))
	entryLen := 0x1F
	if ep.Major >= 3 {
		entryLen = 0x18
	}
	return dump{file: b, entry: b[:entryLen], table: b[0x20:end], ep: ep}
}

// Expected values are copied from testdata/smbios/*.dmidecode.txt, which is
// what dmidecode 3.4 prints for the same files; the test also checks that the
// text file says so, so the two cannot drift apart.
var realDumps = []struct {
	name         string
	major, minor int
	structures   int // from dmidecode's "N structures occupying" line; 0 when it prints none
	want         Info
	dmidecode    []string // lines that must appear in the .dmidecode.txt
}{
	{
		name: "hp-z600", major: 2, minor: 6, structures: 98,
		want: Info{
			Manufacturer: "Hewlett-Packard",
			ProductName:  "HP Z600 Workstation",
			Version:      "",
			Serial:       "CZC214446Z",
			UUID:         "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E",
			AssetTag:     "CZC214446Z",
		},
		dmidecode: []string{
			"SMBIOS 2.6 present.",
			"\tManufacturer: Hewlett-Packard",
			"\tProduct Name: HP Z600 Workstation",
			"\tSerial Number: CZC214446Z",
			"\tUUID: 30d3f174-7f5d-11e1-bbda-5f0d3dbc082e",
			"\tAsset Tag: CZC214446Z",
		},
	},
	{
		name: "lenovo-thinkpad-x280", major: 3, minor: 0,
		want: Info{
			Manufacturer: "LENOVO",
			ProductName:  "20KFCTO1WW",
			Version:      "ThinkPad X280",
			Serial:       "PC16ANHL",
			UUID:         "F734AE4C-334C-11B2-A85C-A48EDEB400CA",
			AssetTag:     "", // "No Asset Information" is Lenovo's placeholder
		},
		dmidecode: []string{
			"SMBIOS 3.0.0 present.",
			"\tManufacturer: LENOVO",
			"\tProduct Name: 20KFCTO1WW",
			"\tVersion: ThinkPad X280",
			"\tSerial Number: PC16ANHL",
			"\tUUID: f734ae4c-334c-11b2-a85c-a48edeb400ca",
			"\tAsset Tag: No Asset Information",
		},
	},
	{
		name: "lenovo-thinkcentre-m720s", major: 3, minor: 2,
		want: Info{
			Manufacturer: "LENOVO",
			ProductName:  "10STS04K00",
			Version:      "ThinkCentre M720s",
			Serial:       "S4JA0501",
			UUID:         "50F6E780-FFFC-11E8-9FD5-8180663E1200",
			AssetTag:     "", // a single space in the firmware
		},
		dmidecode: []string{
			"SMBIOS 3.2.1 present.",
			"\tProduct Name: 10STS04K00",
			"\tVersion: ThinkCentre M720s",
			"\tSerial Number: S4JA0501",
			"\tUUID: 50f6e780-fffc-11e8-9fd5-8180663e1200",
			"\tAsset Tag:  \n",
		},
	},
}

func TestParseSMBIOSRealDumps(t *testing.T) {
	for _, tc := range realDumps {
		t.Run(tc.name, func(t *testing.T) {
			txt, err := os.ReadFile(filepath.Join(dumpDir, tc.name+".dmidecode.txt"))
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.dmidecode {
				if !strings.Contains(string(txt), line) {
					t.Errorf("dmidecode output lacks %q: expected values are stale", line)
				}
			}

			d := loadDump(t, tc.name)
			if d.ep.Major != tc.major || d.ep.Minor != tc.minor {
				t.Errorf("entry point version %d.%d, want %d.%d", d.ep.Major, d.ep.Minor, tc.major, tc.minor)
			}
			got, err := ParseSMBIOS(d.table, d.ep.Major, d.ep.Minor)
			if err != nil {
				t.Fatalf("ParseSMBIOS: %v", err)
			}
			if !got.HasSystem {
				t.Error("HasSystem = false")
			}
			if tc.structures != 0 && got.Structures != tc.structures {
				t.Errorf("walked %d structures, dmidecode counts %d", got.Structures, tc.structures)
			}
			got.HasSystem, got.Structures, got.SpecVersion = false, 0, ""
			if got != tc.want {
				t.Errorf("ParseSMBIOS =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// The HP Z600 reports SMBIOS 2.6, the first version with the little-endian
// UUID fields; decoded as 2.5 the same bytes must come out big-endian.
func TestParseSMBIOSUUIDByteOrder(t *testing.T) {
	d := loadDump(t, "hp-z600")
	for _, tc := range []struct {
		name         string
		major, minor int
		want         string
	}{
		{"2.5 big-endian", 2, 5, "74F1D330-5D7F-E111-BBDA-5F0D3DBC082E"},
		{"2.6 little-endian", 2, 6, "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"},
		{"3.0 little-endian", 3, 0, "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"},
		{"2.0 big-endian", 2, 0, "74F1D330-5D7F-E111-BBDA-5F0D3DBC082E"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSMBIOS(d.table, tc.major, tc.minor)
			if err != nil {
				t.Fatal(err)
			}
			if got.UUID != tc.want {
				t.Errorf("UUID = %s, want %s", got.UUID, tc.want)
			}
		})
	}
}

// structure builds one SMBIOS structure: formatted area (type, length and
// handle filled in) followed by its string set.
func structure(typ byte, handle uint16, body []byte, strs ...string) []byte {
	b := []byte{typ, byte(4 + len(body)), 0, 0}
	binary.LittleEndian.PutUint16(b[2:], handle)
	b = append(b, body...)
	if len(strs) == 0 {
		return append(b, 0, 0)
	}
	for _, s := range strs {
		b = append(b, s...)
		b = append(b, 0)
	}
	return append(b, 0)
}

// type1 is a System Information structure (SMBIOS 2.4 layout, 27 bytes) whose
// string fields point at strings 1..4 unless told otherwise.
func type1(uuid []byte, idx [4]byte, strs ...string) []byte {
	body := []byte{idx[0], idx[1], idx[2], idx[3]}
	body = append(body, uuid...)
	body = append(body, 0x06, 0, 0) // wake-up: power switch, no SKU, no family
	return structure(1, 0x0001, body, strs...)
}

func type3(assetIdx byte, strs ...string) []byte {
	// manufacturer, type=desktop, version, serial, asset tag
	return structure(3, 0x0003, []byte{1, 3, 0, 0, assetIdx}, strs...)
}

var (
	endOfTable = structure(127, 0xFEFF, nil)
	someUUID   = []byte{0x44, 0x45, 0x4C, 0x4C, 0x42, 0x00, 0x10, 0x30, 0x80, 0x58, 0xB3, 0xC0, 0x4F, 0x4E, 0x4A, 0x31}
)

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestParseSMBIOSMalformed(t *testing.T) {
	good1 := type1(someUUID, [4]byte{1, 2, 0, 3}, "Dell Inc.", "OptiPlex 7010", "8NJQ3X1")
	goodInfo := Info{Manufacturer: "Dell Inc.", ProductName: "OptiPlex 7010", Serial: "8NJQ3X1", UUID: "4C4C4544-0042-3010-8058-B3C04F4E4A31"}

	for _, tc := range []struct {
		name    string
		table   []byte
		want    Info   // fields compared: identity strings only
		wantErr string // "" = no error; otherwise a substring, and the error must wrap ErrMalformedSMBIOS
	}{
		{name: "empty table", table: nil, want: Info{}},
		{name: "truncated header", table: []byte{1, 0x1B}, wantErr: "structure header truncated: 2 of 4 bytes left"},
		{name: "truncated header after good structure", table: cat(good1, []byte{3, 9, 0}), want: goodInfo, wantErr: "structure header truncated: 3 of 4 bytes left"},
		{name: "length below header size", table: []byte{1, 3, 0, 0, 0, 0}, wantErr: "declares length 3, less than its 4-byte header"},
		{name: "length zero", table: []byte{0, 0, 0, 0, 0, 0}, wantErr: "declares length 0"},
		{name: "formatted area past end", table: good1[:20], wantErr: "runs past the end of the table (27 bytes declared, 20 left)"},
		{name: "strings not double-NUL terminated", table: good1[:len(good1)-1], wantErr: "not terminated by a double NUL"},
		{name: "no string set at all", table: good1[:27], wantErr: "not terminated by a double NUL"},
		{
			name:    "string index out of range",
			table:   type1(someUUID, [4]byte{1, 2, 0, 7}, "Dell Inc.", "OptiPlex 7010"),
			want:    Info{Manufacturer: "Dell Inc.", ProductName: "OptiPlex 7010", UUID: goodInfo.UUID},
			wantErr: "field 0x07 refers to string 7, but the structure has 2 strings",
		},
		{
			name:    "string index with empty string set",
			table:   type3(1),
			wantErr: "field 0x08 refers to string 1, but the structure has 0 strings",
		},
		{name: "valid with end of table", table: cat(good1, type3(2, "Dell Inc.", "ASSET-0042"), endOfTable), want: Info{
			Manufacturer: "Dell Inc.", ProductName: "OptiPlex 7010", Serial: "8NJQ3X1", UUID: goodInfo.UUID, AssetTag: "ASSET-0042",
		}},
		{
			name:  "structures after end of table are ignored",
			table: cat(endOfTable, good1, []byte{0xFF, 0xFF}),
			want:  Info{},
		},
		{
			name:  "first type 1 wins",
			table: cat(good1, type1(someUUID, [4]byte{1, 0, 0, 0}, "Other")),
			want:  goodInfo,
		},
		{
			name:  "short 2.0 type 1 has no UUID",
			table: structure(1, 1, []byte{1, 2, 0, 3}, "IBM", "8183-W1G", "KBXYZ12"),
			want:  Info{Manufacturer: "IBM", ProductName: "8183-W1G", Serial: "KBXYZ12"},
		},
		{
			name:  "type 1 too short for serial",
			table: structure(1, 1, []byte{1, 2}, "IBM", "8183-W1G"),
			want:  Info{Manufacturer: "IBM", ProductName: "8183-W1G"},
		},
		{
			name:  "all-zero and all-FF UUIDs are absent",
			table: type1(make([]byte, 16), [4]byte{1, 0, 0, 0}, "QEMU"),
			want:  Info{Manufacturer: "QEMU"},
		},
		{
			name: "placeholders become empty",
			table: cat(
				type1([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, [4]byte{1, 2, 3, 4},
					"To Be Filled By O.E.M.", "System Product Name", "Default string", "System Serial Number"),
				type3(1, "  "),
				type3(1, "Asset-1234567890"),
			),
			want: Info{},
		},
		{
			name:  "later chassis supplies the asset tag",
			table: cat(type3(1, "No Asset Tag"), type3(1, " AT-7781 ")),
			want:  Info{AssetTag: "AT-7781"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSMBIOS(tc.table, 2, 8)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tc.wantErr)
				}
				if !errors.Is(err, ErrMalformedSMBIOS) {
					t.Errorf("error %v does not wrap ErrMalformedSMBIOS", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", err, tc.wantErr)
				}
			}
			got.HasSystem, got.Structures, got.SpecVersion = false, 0, ""
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestCleanString(t *testing.T) {
	tabletest.Pairs(t, "cleanString", cleanString, [][2]string{
		{"CZC214446Z", "CZC214446Z"},
		{"  PC16ANHL \t", "PC16ANHL"},
		{"To Be Filled By O.E.M.", ""},
		{"to be filled by o.e.m.", ""},
		{"Default string", ""},
		{"System Serial Number", ""},
		{"0123456789", ""},
		{"Not Specified", ""},
		{"None", ""},
		{"00000000", ""},
		{"FFFFFFFF", ""},
		{"........", ""},
		{"   ", ""},
		{"", ""},
		{"ABC\x01DEF", ""},                // uninitialised flash
		{"M\xfcller GmbH", "Müller GmbH"}, // Latin-1 becomes UTF-8
		{"0A1B", "0A1B"},
		{"F00D", "F00D"},
		{"Dell\tInc.", "Dell Inc."},
	})
}

func TestParseEntryPoint(t *testing.T) {
	hp := loadDump(t, "hp-z600")
	x280 := loadDump(t, "lenovo-thinkpad-x280")
	sm2 := func(major, minor byte) []byte {
		b := append([]byte(nil), hp.entry...)
		b[6], b[7] = major, minor
		return b
	}
	legacy := []byte("_DMI_\x00\x4C\x0B\x20\x00\x00\x00\x62\x00\x24")
	tabletest.Err(t, "ParseEntryPoint", ParseEntryPoint, []tabletest.ErrCase[[]byte, EntryPoint]{
		{Name: "real 32-bit", In: hp.entry, Want: EntryPoint{Major: 2, Minor: 6, TableAddress: 0x20, TableLength: 2892}},
		{Name: "real 64-bit", In: x280.entry, Want: EntryPoint{Major: 3, Minor: 0, TableAddress: 0x20, TableLength: 0x0BE9}},
		{Name: "2.51 read as 2.6", In: sm2(2, 0x33), Want: EntryPoint{Major: 2, Minor: 6, TableAddress: 0x20, TableLength: 2892}},
		{Name: "2.31 read as 2.3", In: sm2(2, 0x1F), Want: EntryPoint{Major: 2, Minor: 3, TableAddress: 0x20, TableLength: 2892}},
		{Name: "legacy DMI", In: legacy, Want: EntryPoint{Major: 2, Minor: 4, TableAddress: 0x20, TableLength: 2892}},
		{Name: "truncated 32-bit", In: hp.entry[:20], WantErr: "SMBIOS 2 entry point truncated: 20 of 31 bytes"},
		{Name: "truncated 64-bit", In: x280.entry[:10], WantErr: "SMBIOS 3 entry point truncated: 10 of 24 bytes"},
		{Name: "truncated legacy", In: legacy[:8], WantErr: "legacy DMI entry point truncated"},
		{Name: "garbage", In: []byte("hello world"), WantErr: `not an SMBIOS entry point (starts with "hello"`},
		{Name: "empty", In: nil, WantErr: "not an SMBIOS entry point"},
	})
}

// rsmbBuffer wraps a table the way GetSystemFirmwareTable('RSMB') returns it.
func rsmbBuffer(major, minor byte, table []byte, declared uint32) []byte {
	b := []byte{0, major, minor, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[4:], declared)
	return append(b, table...)
}

func TestParseRSMB(t *testing.T) {
	d := loadDump(t, "lenovo-thinkcentre-m720s")
	n := uint32(len(d.table))
	t.Run("real table", func(t *testing.T) {
		got, err := parseRSMB(rsmbBuffer(3, 2, d.table, n))
		if err != nil {
			t.Fatal(err)
		}
		if got.major != 3 || got.minor != 2 || string(got.table) != string(d.table) {
			t.Fatalf("got version %d.%d and %d table bytes, want 3.2 and %d", got.major, got.minor, len(got.table), n)
		}
		info, err := ParseSMBIOS(got.table, got.major, got.minor)
		if err != nil || info.Serial != "S4JA0501" {
			t.Errorf("table from RSMB: serial %q, err %v", info.Serial, err)
		}
	})
	t.Run("trailing bytes beyond declared length are ignored", func(t *testing.T) {
		got, err := parseRSMB(append(rsmbBuffer(3, 2, d.table, n), 0xAA, 0xBB))
		if err != nil || len(got.table) != int(n) {
			t.Fatalf("len %d err %v", len(got.table), err)
		}
	})
	for _, tc := range []struct {
		name, wantErr string
		buf           []byte
	}{
		{"header truncated", "shorter than its 8-byte header", []byte{0, 3, 2, 0}},
		{"length beyond buffer", fmt.Sprintf("declares %d table bytes but holds %d", n+1, n), rsmbBuffer(3, 2, d.table, n+1)},
		{"length overflow", "declares 4294967295 table bytes", rsmbBuffer(3, 2, nil, 0xFFFFFFFF)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRSMB(tc.buf)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func BenchmarkParseSMBIOS(b *testing.B) {
	d := loadDump(b, "lenovo-thinkcentre-m720s")
	b.SetBytes(int64(len(d.table)))
	for b.Loop() {
		if _, err := ParseSMBIOS(d.table, d.ep.Major, d.ep.Minor); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseSMBIOSKeepsEveryProblem(t *testing.T) {
	table := cat(type1(someUUID, [4]byte{1, 2, 0, 7}, "Dell Inc.", "OptiPlex 7010"), []byte{3, 9})
	got, err := ParseSMBIOS(table, 2, 8)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"refers to string 7", "; ", "structure header truncated: 2 of 4 bytes left"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !errors.Is(err, ErrMalformedSMBIOS) || got.Manufacturer != "Dell Inc." {
		t.Errorf("errors.Is = %v, manufacturer %q", errors.Is(err, ErrMalformedSMBIOS), got.Manufacturer)
	}
}
