package bootmedia

import (
	"bytes"
	"debug/elf"
	"testing"
)

// TestI386ProbeIsAValidProgram checks the probe with Go's ELF reader, so on
// a kernel that refuses it (where it cannot be run to see it exit 0) the
// refusal is known to be the kernel's and not a broken probe's.
func TestI386ProbeIsAValidProgram(t *testing.T) {
	raw := i386Exit0()
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an ELF file: %v", err)
	}
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_386 || f.Type != elf.ET_EXEC || f.Data != elf.ELFDATA2LSB {
		t.Fatalf("class %v machine %v type %v data %v, want a 32-bit little-endian i386 executable", f.Class, f.Machine, f.Type, f.Data)
	}
	if len(f.Progs) != 1 || f.Progs[0].Type != elf.PT_LOAD || f.Progs[0].Flags != elf.PF_R|elf.PF_X {
		t.Fatalf("program headers %+v, want one readable, executable PT_LOAD", f.Progs)
	}
	p := f.Progs[0]
	if f.Entry < p.Vaddr || f.Entry >= p.Vaddr+p.Memsz || p.Filesz != uint64(len(raw)) || p.Vaddr%p.Align != 0 {
		t.Fatalf("entry %#x outside the segment %#x+%d, or segment does not cover the file (%d bytes)", f.Entry, p.Vaddr, p.Memsz, len(raw))
	}
	code := raw[f.Entry-p.Vaddr:]
	if want := []byte{0x31, 0xdb, 0xb8, 0x01, 0, 0, 0, 0xcd, 0x80}; !bytes.Equal(code, want) {
		t.Errorf("code % x, want exit(0): % x", code, want)
	}
}
