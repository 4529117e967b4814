package machine

import (
	"fmt"
	"strings"
)

// NormalizeMAC turns a MAC address typed or read in any common notation into
// the form Deployment Server keeps in nics.mac_addr: 12 upper-case hex digits
// without separators. It accepts AA:BB:CC:DD:EE:FF, aa-bb-cc-dd-ee-ff,
// aabbccddeeff and the Cisco AABB.CCDD.EEFF form, in any case. Mixed or
// misplaced separators are refused rather than guessed at, because a wrong
// guess would quietly identify another machine.
func NormalizeMAC(s string) (string, error) {
	t := strings.TrimSpace(s)
	var digits string
	switch {
	case len(t) == 12:
		digits = t
	case len(t) == 17 && (t[2] == ':' || t[2] == '-'):
		sep := t[2]
		var b strings.Builder
		for i := 0; i < 6; i++ {
			if i > 0 && t[3*i-1] != sep {
				return "", macError(s)
			}
			b.WriteString(t[3*i : 3*i+2])
		}
		digits = b.String()
	case len(t) == 14 && t[4] == '.' && t[9] == '.':
		digits = t[0:4] + t[5:9] + t[10:14]
	default:
		return "", macError(s)
	}
	if !isHex(digits) {
		return "", macError(s)
	}
	return strings.ToUpper(digits), nil
}

// FormatMAC renders a MAC for people: AA:BB:CC:DD:EE:FF. Input that is not a
// MAC address comes back unchanged so a display never loses what it was given.
func FormatMAC(s string) string {
	n, err := NormalizeMAC(s)
	if err != nil {
		return s
	}
	return n[0:2] + ":" + n[2:4] + ":" + n[4:6] + ":" + n[6:8] + ":" + n[8:10] + ":" + n[10:12]
}

// NormalizeUUID turns a UUID with or without braces and dashes, in any case,
// into the canonical upper-case 8-4-4-4-12 form used throughout the program.
func NormalizeUUID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}' {
		t = t[1 : len(t)-1]
	}
	var digits string
	switch len(t) {
	case 32:
		digits = t
	case 36:
		if t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
			return "", uuidError(s)
		}
		digits = t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36]
	default:
		return "", uuidError(s)
	}
	if !isHex(digits) {
		return "", uuidError(s)
	}
	return formatUUIDDigits(strings.ToUpper(digits)), nil
}

func formatUUIDDigits(d string) string {
	return d[0:8] + "-" + d[8:12] + "-" + d[12:16] + "-" + d[16:20] + "-" + d[20:32]
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func macError(s string) error {
	return fmt.Errorf("not a MAC address: %q (want 12 hex digits, e.g. AA:BB:CC:DD:EE:FF)", s)
}

func uuidError(s string) error {
	return fmt.Errorf("not a UUID: %q (want 32 hex digits, e.g. 4C4C4544-0042-3010-8058-B3C04F4E4A31)", s)
}
