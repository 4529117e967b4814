package directory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseSID renders a binary objectSid as S-1-5-21-...: byte 0 revision,
// byte 1 sub-authority count N, bytes 2-7 the authority (big-endian), then
// N little-endian uint32s; the length must be exactly 8+4N.
func ParseSID(b []byte) (string, error) {
	if len(b) < 8 {
		return "", fmt.Errorf("sid: %d bytes, need at least 8", len(b))
	}
	if b[0] != 1 {
		return "", fmt.Errorf("sid: revision %d, want 1", b[0])
	}
	n := int(b[1])
	if len(b) != 8+4*n {
		return "", fmt.Errorf("sid: %d bytes for %d sub-authorities, want %d", len(b), n, 8+4*n)
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-1-")
	sb.WriteString(strconv.FormatUint(auth, 10))
	for i := 0; i < n; i++ {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String(), nil
}

// EncodeSID is ParseSID's inverse.
func EncodeSID(s string) ([]byte, error) {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || parts[0] != "S" || parts[1] != "1" {
		return nil, fmt.Errorf("sid %q: want S-1-<authority>[-<sub-authority>...]", s)
	}
	auth, err := strconv.ParseUint(parts[2], 10, 48)
	if err != nil {
		return nil, fmt.Errorf("sid %q: authority: %w", s, errors.Unwrap(err))
	}
	subs := parts[3:]
	if len(subs) > 15 {
		return nil, fmt.Errorf("sid %q: %d sub-authorities, at most 15", s, len(subs))
	}
	b := make([]byte, 8+4*len(subs))
	b[0], b[1] = 1, byte(len(subs))
	for i := 0; i < 6; i++ {
		b[7-i] = byte(auth >> (8 * i))
	}
	for i, p := range subs {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("sid %q: sub-authority %d: %w", s, i+1, errors.Unwrap(err))
		}
		binary.LittleEndian.PutUint32(b[8+4*i:], uint32(v))
	}
	return b, nil
}

// sidFilterValue escapes every byte as \xx: a binary SID has bytes that
// look like filter syntax, and escaping all of them leaves nothing to chance.
func sidFilterValue(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 3*len(b))
	for _, c := range b {
		out = append(out, '\\', hex[c>>4], hex[c&0xf])
	}
	return string(out)
}
