// Package dscipher is Deployment Server 6.x's reversible cipher for console
// user names and passwords (securityuser.username, .password, .upnname).
//
// DS stores those columns through one fixed routine; the details were
// recovered by running DS's own SDK on 403 inputs (docs/ds-schema.md, "The DS
// cipher", and testdata/dscipher/ds-username-cipher.tsv):
//
//   - text becomes bytes by keeping the low byte of each UTF-16 code unit
//     (lossy above U+00FF), padded with one 0x00 to an even length;
//   - each little-endian 16-bit word is XORed with a key stream: RC4 widened
//     to 16-bit words with the fixed key 0x0000 0x3178 0x0030. The state is
//     fresh for every string, so the key stream is a constant, computed once;
//   - a CRC-32 (zlib) of the padded bytes follows, XORed with the continuing
//     key stream;
//   - the bytes are written as text, three 6-bit characters 0x40|(b&0x3F) a
//     group plus a marker character holding the three top-bit pairs; data and
//     CRC are written separately, so the CRC is always the last 6 characters.
//
// The routine is deterministic, which is how DS's own console login works:
// it encrypts what was typed and compares ciphertexts.
package dscipher

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"unicode/utf16"
)

// keyWords is the fixed RC4 key as 16-bit words (bytes 00 00 78 31 30 00).
var keyWords = [3]uint16{0x0000, 0x3178, 0x0030}

// maxWords bounds the precomputed key stream: 64 KiB of plaintext plus the
// CRC, far beyond any DS column (user names are at most 92 characters).
const maxWords = 1 << 15

// MaxLen is the longest plaintext, in bytes after padding, the package handles.
const MaxLen = 2 * (maxWords - 2)

// keyStream is computed on first use and never again: every string starts
// from the same fresh state, so every string sees the same words.
var keyStream = sync.OnceValue(func() []uint16 {
	var s [1 << 16]uint16
	for i := range s {
		s[i] = uint16(i)
	}
	var j uint16
	for i := 0; i < len(s); i++ {
		j += s[i] + keyWords[i%3]
		s[i], s[j] = s[j], s[i]
	}
	out := make([]uint16, maxWords)
	var x, y uint16
	for k := range out {
		x++
		y += s[x]
		s[x], s[y] = s[y], s[x]
		out[k] = s[s[x]+s[y]]
	}
	return out
})

// ErrMalformed is returned by Decrypt for text that no DS encryption produced.
var ErrMalformed = errors.New("dscipher: not a DS-encrypted value")

// Encrypt returns what DS stores for s.
func Encrypt(s string) string {
	plain := lowBytes(s)
	out, err := EncryptBytes(plain)
	if err != nil {
		// Only an input over MaxLen gets here; no DS column holds one.
		panic(err)
	}
	return out
}

// EncryptBytes is Encrypt for bytes already in DS's one-byte form.
func EncryptBytes(plain []byte) (string, error) {
	if len(plain)%2 == 1 {
		plain = append(plain[:len(plain):len(plain)], 0)
	}
	if len(plain) > MaxLen {
		return "", fmt.Errorf("dscipher: %d bytes is longer than %d", len(plain), MaxLen)
	}
	ks := keyStream()
	data := make([]byte, len(plain))
	words := len(plain) / 2
	for i := 0; i < words; i++ {
		w := (uint16(plain[2*i]) | uint16(plain[2*i+1])<<8) ^ ks[i]
		data[2*i], data[2*i+1] = byte(w), byte(w>>8)
	}
	crc := crc32.ChecksumIEEE(plain)
	c0 := uint16(crc) ^ ks[words]
	c1 := uint16(crc>>16) ^ ks[words+1]
	crcBytes := []byte{byte(c0), byte(c0 >> 8), byte(c1), byte(c1 >> 8)}
	var b strings.Builder
	b.Grow(encodedLen(len(data)) + encodedLen(4))
	encode(&b, data)
	encode(&b, crcBytes)
	return b.String(), nil
}

// Decrypt returns the bytes DS recovers from a stored value: one byte a
// character, in the Windows ANSI code page (see DecryptText). Like DS's own
// code it ignores a CRC mismatch; it drops one trailing 0x00 (the padding).
func Decrypt(stored string) ([]byte, error) {
	if len(stored) < 6 {
		return nil, ErrMalformed
	}
	data, err := decode(stored[:len(stored)-6])
	if err != nil {
		return nil, err
	}
	if len(data)%2 == 1 || len(data) > MaxLen {
		return nil, ErrMalformed
	}
	ks := keyStream()
	for i := 0; i < len(data)/2; i++ {
		w := (uint16(data[2*i]) | uint16(data[2*i+1])<<8) ^ ks[i]
		data[2*i], data[2*i+1] = byte(w), byte(w>>8)
	}
	if n := len(data); n > 0 && data[n-1] == 0 {
		data = data[:n-1]
	}
	return data, nil
}

// DecryptText is Decrypt read as Windows-1252, the code page DS's SDK uses
// on Western systems, so names compare the way Windows compares them.
func DecryptText(stored string) (string, error) {
	b, err := Decrypt(stored)
	if err != nil {
		return "", err
	}
	return fromWindows1252(b), nil
}

// Equal reports whether typed, encrypted as DS does, equals stored, in
// constant time (for DS console account passwords). A typed value too long
// to encrypt is never equal.
func Equal(typed, stored string) bool {
	enc, err := EncryptBytes(lowBytes(typed))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(enc), []byte(strings.TrimRight(stored, " "))) == 1
}

// lowBytes keeps the low byte of every UTF-16 code unit, as DS does.
func lowBytes(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, len(units), len(units)+1)
	for i, u := range units {
		out[i] = byte(u)
	}
	return out
}

func encodedLen(n int) int {
	l := n / 3 * 4
	if r := n % 3; r > 0 {
		l += r + 1
	}
	return l
}

// encode writes bytes as DS text: three characters of the low six bits, then
// a marker with each byte's top two bits (a short last group likewise).
func encode(b *strings.Builder, p []byte) {
	for len(p) > 0 {
		n := min(3, len(p))
		var marker byte
		for i := 0; i < n; i++ {
			b.WriteByte(0x40 | p[i]&0x3F)
			marker |= (p[i] >> 6) << (4 - 2*i)
		}
		b.WriteByte(0x40 | marker)
		p = p[n:]
	}
}

func decode(s string) ([]byte, error) {
	if len(s)%4 == 1 {
		return nil, ErrMalformed
	}
	out := make([]byte, 0, len(s)/4*3+2)
	for len(s) > 0 {
		n := min(4, len(s)) - 1
		marker := s[n]
		if marker&0xC0 != 0x40 {
			return nil, ErrMalformed
		}
		for i := 0; i < n; i++ {
			c := s[i]
			if c&0xC0 != 0x40 {
				return nil, ErrMalformed
			}
			out = append(out, c&0x3F|((marker>>(4-2*i))&3)<<6)
		}
		s = s[n+1:]
	}
	return out, nil
}

// windows1252 maps 0x80–0x9F; the other bytes are the same code point.
var windows1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// fromWindows1252 reads bytes in the Windows ANSI code page of Western systems.
func fromWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(windows1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}
