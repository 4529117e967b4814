package machine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// SMBIOS structure types this package reads (DMTF DSP0134).
const (
	smbiosTypeSystem  = 1
	smbiosTypeChassis = 3
	smbiosTypeEnd     = 127
	headerLen         = 4
)

// Info is what the SMBIOS table says about the machine, with placeholder
// values already turned into "".
type Info struct {
	Manufacturer string `json:"manufacturer"` // type 1, System Manufacturer
	ProductName  string `json:"product_name"` // type 1, Product Name
	Version      string `json:"version"`      // type 1, Version (Lenovo puts the model name here)
	Serial       string `json:"serial"`       // type 1, Serial Number
	UUID         string `json:"uuid"`         // type 1, UUID, canonical upper-case 8-4-4-4-12
	AssetTag     string `json:"asset_tag"`    // first non-empty type 3 Asset Tag
	HasSystem    bool   `json:"has_system"`   // a type 1 structure was found
	Structures   int    `json:"structures"`   // structures walked, End-of-Table included
	SpecVersion  string `json:"spec_version"` // "major.minor" the table was decoded as
}

// ErrMalformedSMBIOS is wrapped by every error ParseSMBIOS returns, so callers
// can tell a damaged table from a missing one.
var ErrMalformedSMBIOS = errors.New("malformed SMBIOS table")

// ParseSMBIOS walks an SMBIOS structure table (the bytes of
// /sys/firmware/dmi/tables/DMI, or the table part of Windows' RSMB buffer) and
// extracts the machine's identity. major and minor are the SMBIOS version from
// the entry point; they decide the byte order of the UUID.
//
// The table is untrusted firmware data: every length is checked, and any input
// at all returns instead of panicking. When the table is damaged part way,
// ParseSMBIOS returns what it read before the damage together with an error
// wrapping ErrMalformedSMBIOS, so the caller can still use the good part.
func ParseSMBIOS(table []byte, major, minor int) (Info, error) {
	info := Info{SpecVersion: fmt.Sprintf("%d.%d", major, minor)}
	var problems []error
	fail := func(off int, format string, args ...any) (Info, error) {
		return info, joinProblems(append(problems, malformed(off, format, args...)))
	}
	off := 0
	for off < len(table) {
		if len(table)-off < headerLen {
			return fail(off, "structure header truncated: %d of %d bytes left", len(table)-off, headerLen)
		}
		typ := table[off]
		length := int(table[off+1])
		handle := binary.LittleEndian.Uint16(table[off+2:])
		if length < headerLen {
			return fail(off, "structure type %d handle 0x%04X declares length %d, less than its %d-byte header", typ, handle, length, headerLen)
		}
		if off+length > len(table) {
			return fail(off, "structure type %d handle 0x%04X runs past the end of the table (%d bytes declared, %d left)", typ, handle, length, len(table)-off)
		}
		formatted := table[off : off+length]
		strs := table[off+length:]
		// The string set ends at the first double NUL: "\0\0" alone when the
		// structure has no strings, else the last string's NUL plus one more.
		end := bytes.Index(strs, []byte{0, 0})
		if end < 0 {
			return fail(off, "strings of structure type %d handle 0x%04X are not terminated by a double NUL", typ, handle)
		}
		info.Structures++

		switch typ {
		case smbiosTypeSystem:
			if !info.HasSystem {
				info.HasSystem = true
				set := strings.Split(string(strs[:end]), "\x00")
				problems = append(problems, readSystem(&info, formatted, set, major, minor, off)...)
			}
		case smbiosTypeChassis:
			if info.AssetTag == "" && length > 0x08 {
				set := strings.Split(string(strs[:end]), "\x00")
				v, err := structString(formatted, set, 0x08, off)
				if err != nil {
					problems = append(problems, err)
				}
				info.AssetTag = v
			}
		}
		off += length + end + 2
		if typ == smbiosTypeEnd {
			break
		}
	}
	return info, joinProblems(problems)
}

// problemList reports several table problems on one line, for a console
// warning, while errors.Is still sees each of them.
type problemList []error

func (l problemList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (l problemList) Unwrap() []error { return l }

func joinProblems(problems []error) error {
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	return problemList(problems)
}

func readSystem(info *Info, formatted []byte, set []string, major, minor, off int) []error {
	var problems []error
	get := func(field int) string {
		if len(formatted) <= field {
			return "" // field absent in this (older, shorter) structure version
		}
		v, err := structString(formatted, set, field, off)
		if err != nil {
			problems = append(problems, err)
		}
		return v
	}
	info.Manufacturer = get(0x04)
	info.ProductName = get(0x05)
	info.Version = get(0x06)
	info.Serial = get(0x07)
	if len(formatted) >= 0x18 {
		info.UUID = decodeUUID(formatted[0x08:0x18], major, minor)
	}
	return problems
}

// structString returns the string a formatted-area byte refers to. Index 0
// means "no string"; an index past the string set is a firmware bug that
// dmidecode shows as <BAD INDEX>: the field is left empty and the problem is
// reported.
func structString(formatted []byte, set []string, field, off int) (string, error) {
	idx := int(formatted[field])
	if idx == 0 {
		return "", nil
	}
	n := len(set)
	if n == 1 && set[0] == "" {
		n = 0
	}
	if idx > n {
		return "", malformed(off, "structure type %d field 0x%02X refers to string %d, but the structure has %d strings", formatted[0], field, idx, n)
	}
	return cleanString(set[idx-1]), nil
}

// decodeUUID formats the 16 UUID bytes of a type 1 structure. SMBIOS 2.6 and
// later store time_low, time_mid and time_hi_and_version little-endian
// (the Windows GUID layout); earlier versions stored all of it big-endian.
// dmidecode and the Linux kernel make the same 2.6 cut, so the result matches
// what `dmidecode -s system-uuid` shows for the same table.
func decodeUUID(b []byte, major, minor int) string {
	allZero, allFF := true, true
	for _, c := range b {
		allZero = allZero && c == 0x00
		allFF = allFF && c == 0xFF
	}
	// 00..00 means "not present", FF..FF "present but not set" (DSP0134 7.2.1).
	if allZero || allFF {
		return ""
	}
	u := make([]byte, 16)
	copy(u, b)
	if major > 2 || major == 2 && minor >= 6 {
		u[0], u[1], u[2], u[3] = b[3], b[2], b[1], b[0]
		u[4], u[5] = b[5], b[4]
		u[6], u[7] = b[7], b[6]
	}
	return formatUUIDDigits(fmt.Sprintf("%X", u))
}

// placeholders are values firmware vendors ship in unset fields. Matching one
// against DS would tie thousands of machines to one computer record, so they
// count as empty. Compared case-insensitively after trimming.
var placeholders = map[string]bool{
	"to be filled by o.e.m.":   true,
	"to be filled by oem":      true,
	"to be filled by o.e.m":    true,
	"default string":           true,
	"system serial number":     true,
	"system product name":      true,
	"system manufacturer":      true,
	"system name":              true,
	"system version":           true,
	"chassis serial number":    true,
	"chassis manufacture":      true,
	"chassis manufacturer":     true,
	"base board serial number": true,
	"asset-1234567890":         true,
	"asset tag":                true,
	"no asset information":     true,
	"no asset tag":             true,
	"not specified":            true,
	"not applicable":           true,
	"not available":            true,
	"not settable":             true,
	"none":                     true,
	"n/a":                      true,
	"na":                       true,
	"oem":                      true,
	"o.e.m.":                   true,
	"unknown":                  true,
	"invalid":                  true,
	"empty":                    true,
	"0123456789":               true,
	"1234567890":               true,
	"9876543210":               true,
	"123456789":                true,
}

// cleanString trims a firmware string and empties it when it is a vendor
// placeholder, filler (only zeros, spaces, dots, dashes, 'F's or 'X's), or
// contains control bytes (tabs become spaces), which uninitialised flash produces. Bytes >= 0x80
// are taken as Latin-1 so the result is always valid UTF-8 for JSON and the
// console.
func cleanString(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\t':
			c = ' ' // a tab would break the console's column layout
		case c < 0x20 || c == 0x7F:
			return ""
		}
		b.WriteRune(rune(c))
	}
	s := strings.TrimSpace(b.String())
	if s == "" || placeholders[strings.ToLower(s)] {
		return ""
	}
	if strings.Trim(s, "0 .-_*") == "" || strings.Trim(s, "Ff") == "" || strings.Trim(s, "Xx") == "" {
		return ""
	}
	return s
}

func malformed(off int, format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrMalformedSMBIOS, off, fmt.Sprintf(format, args...))
}

// EntryPoint is the decoded SMBIOS entry point structure
// (/sys/firmware/dmi/tables/smbios_entry_point, or the head of a
// `dmidecode --dump-bin` file).
type EntryPoint struct {
	Major, Minor int
	// TableAddress is the physical address of the structure table; in a
	// dmidecode --dump-bin file it is the file offset of the table (0x20).
	TableAddress uint64
	// TableLength is the exact table length for 2.x entry points and the
	// maximum length for 3.x ones (the table then ends at type 127).
	TableLength uint32
}

// ParseEntryPoint decodes a 32-bit ("_SM_"), 64-bit ("_SM3_") or legacy
// ("_DMI_") SMBIOS entry point. Checksums are not verified: the kernel has
// already done so for the sysfs copy, and a bad checksum would not make the
// version bytes any less useful.
func ParseEntryPoint(b []byte) (EntryPoint, error) {
	switch {
	case bytes.HasPrefix(b, []byte("_SM3_")):
		if len(b) < 0x18 {
			return EntryPoint{}, fmt.Errorf("SMBIOS 3 entry point truncated: %d of 24 bytes", len(b))
		}
		return EntryPoint{
			Major:        int(b[0x07]),
			Minor:        int(b[0x08]),
			TableLength:  binary.LittleEndian.Uint32(b[0x0C:]),
			TableAddress: binary.LittleEndian.Uint64(b[0x10:]),
		}, nil
	case bytes.HasPrefix(b, []byte("_SM_")):
		if len(b) < 0x1F {
			return EntryPoint{}, fmt.Errorf("SMBIOS 2 entry point truncated: %d of 31 bytes", len(b))
		}
		major, minor := int(b[0x06]), int(b[0x07])
		// Some 2.x BIOSes report versions that never existed; dmidecode
		// corrects them the same way.
		switch {
		case major == 2 && (minor == 0x1F || minor == 0x21):
			minor = 3
		case major == 2 && minor == 0x33:
			minor = 6
		}
		return EntryPoint{
			Major:        major,
			Minor:        minor,
			TableLength:  uint32(binary.LittleEndian.Uint16(b[0x16:])),
			TableAddress: uint64(binary.LittleEndian.Uint32(b[0x18:])),
		}, nil
	case bytes.HasPrefix(b, []byte("_DMI_")):
		if len(b) < 0x0F {
			return EntryPoint{}, fmt.Errorf("legacy DMI entry point truncated: %d of 15 bytes", len(b))
		}
		return EntryPoint{
			Major:        int(b[0x0E] >> 4),
			Minor:        int(b[0x0E] & 0x0F),
			TableLength:  uint32(binary.LittleEndian.Uint16(b[0x06:])),
			TableAddress: uint64(binary.LittleEndian.Uint32(b[0x08:])),
		}, nil
	}
	n := min(len(b), 5)
	return EntryPoint{}, fmt.Errorf("not an SMBIOS entry point (starts with %q, want _SM_, _SM3_ or _DMI_)", b[:n])
}
