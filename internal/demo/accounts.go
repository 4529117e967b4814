// Package demo is the embedded default: a demo eXpress database in SQLite and
// an in-process LDAP directory whose users' groups match the demo console
// groups, so every front end can be tried with no infrastructure at all.
package demo

import "github.com/imageinvoker/imageinvoker/pkg/model"

// Demo directory facts. The demo eXpress data (console users/groups and their
// permissions) and the demo LDAP directory are both built from these, so the
// two can never disagree about who is in which group.
const (
	Domain       = "LAB"         // NetBIOS domain name
	DNSDomain    = "lab.example" // DNS domain / UPN suffix
	BaseDN       = "DC=lab,DC=example"
	DomainSID    = "S-1-5-21-1004336348-1177238915-682003330"
	DomainUsers  = "Domain Users" // every user's primary group (RID 513)
	ComputerName = "PC-042"       // the demo machine the demo runs as
	ComputerMAC  = "00155D2A0042"
	ComputerID   = 5000042
)

// Account is one demo user. Password is shown on the demo sign-in screen on
// purpose: these accounts exist only inside the demo.
type Account struct {
	Sam         string
	Password    string
	DisplayName string
	RID         uint32
	Groups      []string // sAMAccountNames of security groups, besides Domain Users
	Disabled    bool
	Story       string // what this user sees on the demo menu, for the sign-in screen
}

// DSAccount is a demo DS console account: a securityuser row with no domain
// and its password through the DS cipher. DS checks it, not AD: it is typed
// as `.\name` and the demo directory does not know it. Password is shown on
// the demo sign-in screen like the AD accounts'.
type DSAccount struct {
	ID            int64 // securityuser.user_id
	Name          string
	Password      string
	FullName      string
	ConsoleGroups []int64 // DS-native console groups it is a member of
	Story         string
}

// User is how the account is typed at sign-in: `.\name`.
func (a DSAccount) User() string { return model.DSAccountPrefix + a.Name }

// DSAccounts are the demo's DS console accounts.
var DSAccounts = []DSAccount{
	{ID: ConsoleUserKiosk, Name: "kiosk", Password: "kiosk-demo", FullName: "Reception Kiosk Bench",
		ConsoleGroups: []int64{ConsoleGroupBenchCrew},
		Story:         "DS console account (no AD): inventory, kiosk re-image"},
}

// Group is one demo AD group; Nested lists groups it is a member of.
type Group struct {
	Sam    string
	RID    uint32
	Nested []string
	// Distribution groups never appear in tokenGroups (AD excludes them).
	Distribution bool
}

// Accounts are the demo users.
var Accounts = []Account{
	{Sam: "alice", Password: "alice-demo", DisplayName: "Alice Imaging", RID: 1101,
		Groups: []string{"Imaging Techs"}, Story: "imaging tech: Windows and Linux builds, no disk wipe"},
	{Sam: "bob", Password: "bob-demo", DisplayName: "Bob Desktop", RID: 1102,
		Groups: []string{"Techs"}, Story: "desktop tech: Windows 11 lab builds and utilities"},
	{Sam: "carol", Password: "carol-demo", DisplayName: "Carol Helpdesk", RID: 1103,
		Groups: []string{"Helpdesk"}, Story: "helpdesk: BIOS update and inventory only"},
	{Sam: "dave", Password: "dave-demo", DisplayName: "Dave Admin", RID: 1104,
		Groups: []string{"DS Admins"}, Story: "DS administrator: everything"},
	{Sam: "eve", Password: "eve-demo", DisplayName: "Eve Contractor", RID: 1105,
		Groups: []string{"Contractors"}, Story: "contractor: no jobs on this machine"},
	{Sam: "mallory", Password: "mallory-demo", DisplayName: "Mallory Disabled", RID: 1106,
		Groups: []string{"Techs"}, Disabled: true, Story: "disabled account: sign-in is refused"},
}

// Groups are the demo AD groups. "Imaging Techs" is nested in "Techs", so
// alice gets Techs through nesting, as tokenGroups reports it.
var Groups = []Group{
	{Sam: "Domain Users", RID: 513},
	{Sam: "Techs", RID: 1201},
	{Sam: "Imaging Techs", RID: 1202, Nested: []string{"Techs"}},
	{Sam: "Helpdesk", RID: 1203},
	{Sam: "DS Admins", RID: 1204},
	{Sam: "Contractors", RID: 1205},
	{Sam: "All Staff", RID: 1206, Distribution: true},
}
