package express

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// FindComputer looks the machine up by one kind of identifier; any of
// key.Values may match (every NIC's MAC). Several different computers
// matching is an AmbiguousComputerError (a cloned serial), never a guess.
func (s *Store) FindComputer(ctx context.Context, key model.ComputerKey) (model.Computer, error) {
	if err := s.ready(ctx); err != nil {
		return model.Computer{}, err
	}
	col, vals, err := computerMatch(key)
	if err != nil {
		return model.Computer{}, err
	}
	found := map[int64]*model.Computer{}
	var order []int64
	collect := func(rows *sql.Rows) error {
		var id, group nullInt
		var name, serial, tag, uuid, mac nullText
		if err := rows.Scan(&id, &name, &group, &serial, &tag, &uuid, &mac); err != nil {
			return err
		}
		c, ok := found[id.V]
		if !ok {
			c = &model.Computer{ID: id.V, Name: name.S, GroupID: group.V, Serial: serial.S, AssetTag: tag.S, UUID: uuid.S}
			found[id.V] = c
			order = append(order, id.V)
		}
		if mac.Valid && mac.S != "" {
			c.MACs = append(c.MACs, strings.ToUpper(mac.S))
		}
		return nil
	}
	where := s.q.computerWhere[col]
	if col == byID {
		args := []any{sql.Named("computerId", key.ID)}
		if err := s.each(ctx, s.db, nil, s.q.computerBase+where+s.q.computerOrder, args, collect); err != nil {
			return model.Computer{}, s.classify("find computer", err)
		}
	} else {
		for _, part := range chunks(vals, maxInList) {
			text, args := withInList(s.q.computerBase+where+s.q.computerOrder, "v", part)
			if err := s.each(ctx, s.db, nil, text, args, collect); err != nil {
				return model.Computer{}, s.classify("find computer", err)
			}
		}
	}
	switch len(order) {
	case 0:
		return model.Computer{}, fmt.Errorf("%w: no computer has %s — register the machine in the Deployment Server console (or boot it once into DS automation) and try again",
			model.ErrUnknownComputer, describeKey(key))
	case 1:
		c := *found[order[0]]
		c.MACs = dedupe(c.MACs)
		return c, nil
	}
	amb := &AmbiguousComputerError{By: string(key.By)}
	for _, id := range order {
		amb.Computers = append(amb.Computers, ComputerRef{ID: id, Name: found[id].Name})
	}
	return model.Computer{}, amb
}

func computerMatch(key model.ComputerKey) (matchColumn, []string, error) {
	var col matchColumn
	switch key.By {
	case model.MatchMAC:
		col = byMAC
	case model.MatchSerial:
		col = bySerial
	case model.MatchUUID:
		col = byUUID
	case model.MatchAssetTag:
		col = byAssetTag
	case model.MatchComputerID:
		if key.ID <= 0 {
			return 0, nil, fmt.Errorf("%w: computer id %d is not a DS computer id", model.ErrUnknownComputer, key.ID)
		}
		return byID, nil, nil
	default:
		return 0, nil, fmt.Errorf("find computer: unknown match %q — use mac, serial, uuid, asset_tag or computer_id", key.By)
	}
	// An empty value must never match the computers whose column is empty.
	var vals []string
	for _, v := range key.Values {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			vals = append(vals, v)
		}
	}
	vals = dedupe(vals)
	if len(vals) == 0 {
		return 0, nil, fmt.Errorf("%w: this machine reports no %s to look up — try another machine.match identifier", model.ErrUnknownComputer, key.By)
	}
	return col, vals, nil
}

func describeKey(key model.ComputerKey) string {
	if key.By == model.MatchComputerID {
		return fmt.Sprintf("id %d", key.ID)
	}
	return fmt.Sprintf("%s %s", key.By, strings.Join(key.Values, ", "))
}

func dedupe(vals []string) []string {
	seen := map[string]bool{}
	out := vals[:0:0]
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
