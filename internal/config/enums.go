package config

import "strings"

// The enumerated settings, as typed constants: code compares a setting
// with these, never with a string literal, so a misspelt value does not
// compile. The YAML, environment and flag spellings are the constants'
// values.

// StoreAuth is store.auth: how the SQL session logs in.
type StoreAuth string

const (
	AuthURL        StoreAuth = "url"        // credentials in the store URL (a SQL login)
	AuthTechnician StoreAuth = "technician" // NTLM as the signed-in technician
)

// QueueMethod is store.queue: how a job is queued.
type QueueMethod string

const (
	QueueAuto      QueueMethod = "auto"      // procedure on SQL Server, insert on SQLite
	QueueInsert    QueueMethod = "insert"    // a row in event_schedule
	QueueProcedure QueueMethod = "procedure" // DS's own wc_ins_schedule
)

// ConsoleSecurity is store.console_security.
type ConsoleSecurity string

const (
	SecurityAuto ConsoleSecurity = "auto" // on when DS has console users or groups
	SecurityOn   ConsoleSecurity = "on"
	SecurityOff  ConsoleSecurity = "off"
)

// MatchKey is one entry of machine.match: an identifier that finds this
// machine in DS.
type MatchKey string

const (
	MatchMAC      MatchKey = "mac"
	MatchSerial   MatchKey = "serial"
	MatchUUID     MatchKey = "uuid"
	MatchAssetTag MatchKey = "asset_tag"
)

// MatchKeys are every MatchKey, in the order flags naming a machine use.
var MatchKeys = MatchList{MatchMAC, MatchSerial, MatchUUID, MatchAssetTag}

// IdleAction is session.idle_action.
type IdleAction string

const (
	IdleExit     IdleAction = "exit"
	IdleReboot   IdleAction = "reboot"
	IdleShutdown IdleAction = "shutdown"
)

// AfterQueue is session.after_queue: what the console does once DS picked
// the job up.
type AfterQueue string

const (
	AfterExit   AfterQueue = "exit"
	AfterReboot AfterQueue = "reboot"
	AfterStay   AfterQueue = "stay"
)

// LookStyle is look.style.
type LookStyle string

const (
	LookAuto   LookStyle = "auto"
	LookStyled LookStyle = "styled"
	LookASCII  LookStyle = "ascii"
)

// MatchList is machine.match: the identifiers tried, in order.
type MatchList []MatchKey

// Join is strings.Join of the list.
func (l MatchList) Join(sep string) string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = string(v)
	}
	return strings.Join(out, sep)
}
