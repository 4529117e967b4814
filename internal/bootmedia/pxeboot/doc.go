// Package pxeboot holds the real PXE boot test of the Linux boot media:
// QEMU (TCG) boots from the network through its iPXE ROM, TFTP gives it a
// Debian kernel and a busybox initrd that scripts/inject-initrd.sh made,
// and the console runs on the serial line, driven in tmux, against the
// Samba AD DC and a SQLite store on this machine. Only tests live here.
package pxeboot
