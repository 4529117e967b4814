package tui

import (
	"fmt"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Power is what the console does to the machine once the terminal is
// restored: nothing, reboot or shut down.
type Power string

// The powers.
const (
	PowerReboot   Power = "reboot"
	PowerShutdown Power = "shutdown"
)

// IdlePower is what session.idle_action does to the machine ("" for exit).
func IdlePower(a config.IdleAction) Power {
	switch a {
	case config.IdleReboot:
		return PowerReboot
	case config.IdleShutdown:
		return PowerShutdown
	}
	return ""
}

// PowerCommand is the command that reboots or shuts down this machine.
// WinPE has no working `shutdown.exe` (it exits without effect there), so
// `wpeutil` comes first when it exists; Linux automation initrds have
// busybox's reboot/poweroff.
func PowerCommand(action Power, goos string, lookPath func(string) (string, error)) ([]string, error) {
	if action != PowerReboot && action != PowerShutdown {
		return nil, fmt.Errorf("power action %q: want reboot or shutdown", action)
	}
	switch goos {
	case "windows":
		if _, err := lookPath("wpeutil"); err == nil {
			if action == PowerReboot {
				return []string{"wpeutil", "reboot"}, nil
			}
			return []string{"wpeutil", "shutdown"}, nil
		}
		if action == PowerReboot {
			return []string{"shutdown", "/r", "/t", "0"}, nil
		}
		return []string{"shutdown", "/s", "/t", "0"}, nil
	default:
		if action == PowerReboot {
			return []string{"reboot"}, nil
		}
		return []string{"poweroff"}, nil
	}
}

// SystemPower reboots or shuts this machine down. It is the real
// Options.PowerAction; tests never call it.
func SystemPower(action Power) error {
	argv, err := PowerCommand(action, runtime.GOOS, exec.LookPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = PowerEnv(os.Environ(), runtime.GOOS)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", argv[0], err, out)
	}
	return nil
}

// PowerEnv is the environment the reboot or shutdown command starts with:
// only what it needs to run (PATH; on Windows the system folders), never
// the console's own, which may hold IMAGEINVOKER_PASSWORD or whatever the
// boot command line put there.
func PowerEnv(environ []string, goos string) []string {
	keep := map[string]bool{"PATH": true}
	if goos == "windows" {
		keep = map[string]bool{"PATH": true, "SYSTEMROOT": true, "WINDIR": true, "SYSTEMDRIVE": true, "COMSPEC": true, "PATHEXT": true}
	}
	out := []string{}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if goos == "windows" {
			k = strings.ToUpper(k)
		}
		if keep[k] {
			out = append(out, kv)
		}
	}
	return out
}
