package doctor

import (
	"context"
	"fmt"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
)

// What a technician waits for between Enter and the menu is round trips,
// not CPU (issue 21). These are the round trips the console spends after
// Enter, as internal/latency's TestRoundTripsCounted counts them on a real
// DC and SQL Server's batches (it fails when they differ from these); the
// latency check multiplies them
// by what this machine measures, so a site far from its DC or its
// database sees the wait it will get, and why, before a technician does.
const (
	// DCRoundTripsAfterEnter: the bind, who-am-I sent with the search for
	// the account, tokenGroups and resolving the group SIDs; the TCP and
	// TLS handshakes were done while the password was typed.
	DCRoundTripsAfterEnter = 4
	// StoreRoundTripsAfterEnter: with store.auth: url the store is opened
	// and read ahead while the password is typed; the menu is one batch.
	StoreRoundTripsAfterEnter = 1
	// StoreRoundTripsTechnician: with store.auth: technician the SQL login
	// (TCP, prelogin, TLS, login: about 5) waits for the sign-in, then the
	// ping, discovery and the menu's two batches.
	StoreRoundTripsTechnician = 9
	// slowMenu is the wait past which the check warns: a technician
	// notices a second at every boot.
	slowMenu = time.Second
	// storeSamples is how many time reads the store's round trip is the
	// quickest of (the first one also pays for a cold plan cache).
	storeSamples = 3
)

// storeRoundTrip is the quickest of a few reads of the database server's
// time, each one round trip, first being the clock check's read; zero when
// one fails.
func storeRoundTrip(ctx context.Context, st Store, first time.Duration) time.Duration {
	best := first
	for range storeSamples - 1 {
		start := time.Now()
		if _, err := st.Now(ctx); err != nil {
			return 0
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	return best
}

// latencyCheck says how long this machine's round trips to its first
// answering DC and to the store take, and what that makes of the wait from
// Enter to the menu. It only warns: a slow link works, slowly.
func latencyCheck(cfg *config.Config, dcs dcPhases, st storePhase) Check {
	c := Check{Name: "latency", Status: OK}
	var dc *probe
	for _, ph := range dcs {
		for _, p := range ph.probes {
			if p.rtt > 0 && dc == nil {
				dc = p
			}
		}
	}
	if dc == nil || st.rtt == 0 {
		c.Status = Skip
		c.Detail = "skipped: needs an answer from a DC and from the store (see above)"
		return c
	}
	storeTrips := StoreRoundTripsAfterEnter
	if cfg.Store.Auth == config.AuthTechnician {
		storeTrips = StoreRoundTripsTechnician
	}
	wait := DCRoundTripsAfterEnter*dc.rtt + time.Duration(storeTrips)*st.rtt
	c.Detail = fmt.Sprintf("a round trip takes %s to the DC %s and %s to the store; Enter -> menu needs %d DC and %d store round trips: about %s",
		ms(dc.rtt), dc.name(), ms(st.rtt), DCRoundTripsAfterEnter, storeTrips, ms(wait))
	if wait > slowMenu {
		c.Status = Warn
		c.Fix = "Technicians wait that long at every sign-in: name a DC near this site first in directory.dcs (or per site, sites:)"
		if storeTrips == StoreRoundTripsTechnician {
			c.Fix += "; store.auth: url opens the store while the password is typed, saving " +
				fmt.Sprint(StoreRoundTripsTechnician-StoreRoundTripsAfterEnter) + " store round trips"
		}
	}
	return c
}

// ms prints a duration in milliseconds, one decimal below 10 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}
