package machine

import (
	"encoding/binary"
	"fmt"
)

// rsmbHeaderLen is the size of the RawSMBIOSData header Windows puts in front
// of the table: Used20CallingMethod, SMBIOSMajorVersion, SMBIOSMinorVersion,
// DmiRevision (one byte each), then Length (uint32, little-endian).
const rsmbHeaderLen = 8

// parseRSMB splits what GetSystemFirmwareTable('RSMB') returns into the
// version and the structure table. It lives outside read_windows.go so it is
// tested on every OS.
func parseRSMB(buf []byte) (smbiosData, error) {
	if len(buf) < rsmbHeaderLen {
		return smbiosData{}, fmt.Errorf("RSMB firmware table is %d bytes, shorter than its %d-byte header", len(buf), rsmbHeaderLen)
	}
	n := binary.LittleEndian.Uint32(buf[4:8])
	if uint64(n) > uint64(len(buf)-rsmbHeaderLen) {
		return smbiosData{}, fmt.Errorf("RSMB firmware table declares %d table bytes but holds %d", n, len(buf)-rsmbHeaderLen)
	}
	return smbiosData{
		table: buf[rsmbHeaderLen : rsmbHeaderLen+int(n)],
		major: int(buf[1]),
		minor: int(buf[2]),
	}, nil
}
