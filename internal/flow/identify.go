package flow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Override replaces what the machine reads of itself (script and preview flags).
type Override struct {
	MACs       []string
	Serial     string
	UUID       string
	AssetTag   string
	ComputerID int64
}

func (o Override) empty() bool {
	return len(o.MACs) == 0 && o.Serial == "" && o.UUID == "" && o.AssetTag == "" && o.ComputerID == 0
}

// Machine is this machine as the flow knows it.
type Machine struct {
	Local    machine.Identity
	Warnings []string
	Keys     []model.ComputerKey
	// Computer is the DS computer, nil until found.
	Computer *model.Computer
}

// Describe lists the machine's identifiers for a person.
func (m *Machine) Describe() string {
	var parts []string
	for _, mac := range m.Local.MACs {
		parts = append(parts, "MAC "+machine.FormatMAC(mac))
	}
	if m.Local.Serial != "" {
		parts = append(parts, "serial "+m.Local.Serial)
	}
	if m.Local.UUID != "" {
		parts = append(parts, "UUID "+m.Local.UUID)
	}
	if m.Local.AssetTag != "" {
		parts = append(parts, "asset tag "+m.Local.AssetTag)
	}
	for _, k := range m.Keys {
		if k.By == model.MatchComputerID {
			parts = append(parts, "computer id "+strconv.FormatInt(k.ID, 10))
		}
	}
	if len(parts) == 0 {
		return "no identifiers could be read"
	}
	return strings.Join(parts, ", ")
}

// Identify reads this machine (or takes the override) and builds the keys
// that find it in DS, in the configured order. It does not touch the store.
func (f *Flow) Identify(o Override) (*Machine, error) {
	m := &Machine{}
	if o.empty() {
		if f.d.ReadMachine == nil {
			return nil, errors.New("identify machine: no machine reader")
		}
		id, warns, err := f.d.ReadMachine()
		if err != nil {
			return nil, fmt.Errorf("identify machine: %w", err)
		}
		m.Local, m.Warnings = id, warns
	} else {
		for _, mac := range o.MACs {
			n, err := machine.NormalizeMAC(mac)
			if err != nil {
				return nil, usage("%v", err)
			}
			m.Local.MACs = append(m.Local.MACs, n)
		}
		m.Local.Serial, m.Local.AssetTag = o.Serial, o.AssetTag
		if o.UUID != "" {
			u, err := machine.NormalizeUUID(o.UUID)
			if err != nil {
				return nil, usage("%v", err)
			}
			m.Local.UUID = u
		}
		if o.ComputerID != 0 {
			m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchComputerID, ID: o.ComputerID})
		}
	}
	// Flags name exactly what to match; the config's order applies to what the machine read of itself.
	order := f.d.Config.Machine.Match
	if !o.empty() {
		order = config.MatchKeys
	}
	for _, by := range order {
		switch model.MatchBy(by) {
		case model.MatchMAC:
			if len(m.Local.MACs) > 0 {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchMAC, Values: m.Local.MACs})
			}
		case model.MatchSerial:
			if m.Local.Serial != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchSerial, Values: []string{m.Local.Serial}})
			}
		case model.MatchUUID:
			if m.Local.UUID != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchUUID, Values: []string{m.Local.UUID}})
			}
		case model.MatchAssetTag:
			if m.Local.AssetTag != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchAssetTag, Values: []string{m.Local.AssetTag}})
			}
		}
	}
	f.log.Info("machine identified", "identifiers", m.Describe())
	return m, nil
}

// FindComputer looks the machine up in DS by each key in turn. With
// machine.wait_registration set it polls until DS registers the machine
// (DS adds machines to New Computers on first contact) or the time passes.
func (f *Flow) FindComputer(ctx context.Context, st Reader, m *Machine) error {
	if m.Computer != nil {
		return nil
	}
	wait := f.d.Config.Machine.WaitRegistration
	deadline := time.Now().Add(wait)
	for {
		c, err := f.findOnce(ctx, st, m)
		if err == nil {
			m.Computer = &c
			f.log.Info("computer found", "id", c.ID, "name", c.Name)
			return nil
		}
		if !errors.Is(err, model.ErrUnknownComputer) || wait <= 0 || time.Now().After(deadline) {
			return f.storeError(err, m)
		}
		f.log.Info("machine not registered yet; waiting", "until", deadline.Format(time.TimeOnly))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(config.PollEvery, time.Until(deadline)+time.Millisecond)):
		}
	}
}

func (f *Flow) findOnce(ctx context.Context, st Reader, m *Machine) (model.Computer, error) {
	if len(m.Keys) == 0 {
		return model.Computer{}, model.ErrUnknownComputer
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	var last error
	for _, k := range m.Keys {
		c, err := st.FindComputer(ctx, k)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, model.ErrUnknownComputer) {
			return c, err
		}
		last = err
	}
	return model.Computer{}, last
}
