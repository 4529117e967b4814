package demo

import (
	"fmt"
	"net"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// The demo directory speaks just enough LDAPv3 (RFC 4511) for the sign-in:
// simple bind, search, unbind. It is written on the BER codec go-ldap
// already brings, rather than on an LDAP server library, because the demo
// ships inside the boot-media binary and every megabyte there counts.

// idleTimeout drops connections a client left open, as AD does.
const idleTimeout = time.Minute

// AD's answer to a search before a successful bind.
const adNeedBindDiag = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563"

func (d *Directory) serve() {
	defer d.wg.Done()
	for {
		c, err := d.listener.Accept()
		if err != nil {
			return
		}
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			_ = c.Close()
			return
		}
		d.conns[c] = struct{}{}
		d.wg.Add(1)
		d.mu.Unlock()
		go func() {
			defer d.wg.Done()
			d.handle(c)
			d.mu.Lock()
			delete(d.conns, c)
			d.mu.Unlock()
			_ = c.Close()
		}()
	}
}

// handle answers one connection's requests in order until unbind, a
// protocol error or the idle timeout.
func (d *Directory) handle(c net.Conn) {
	var bound *entry
	for {
		_ = c.SetReadDeadline(time.Now().Add(idleTimeout))
		p, err := ber.ReadPacket(c)
		if err != nil || len(p.Children) < 2 {
			return
		}
		id, ok := p.Children[0].Value.(int64)
		if !ok {
			return
		}
		op := p.Children[1]
		var out []*ber.Packet
		switch op.Tag {
		case ldap.ApplicationBindRequest:
			var res *ber.Packet
			bound, res = d.bind(op)
			out = append(out, res)
		case ldap.ApplicationUnbindRequest:
			return
		case ldap.ApplicationSearchRequest:
			out = d.search(op, bound)
		case ldap.ApplicationExtendedRequest:
			// StartTLS and the rest: the demo only speaks LDAPS.
			out = append(out, result(ldap.ApplicationExtendedResponse, ldap.LDAPResultUnwillingToPerform, "unsupported extended operation"))
		case ldap.ApplicationAbandonRequest:
			continue
		default:
			return
		}
		for _, res := range out {
			msg := ber.NewSequence("LDAP Response")
			msg.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
			msg.AppendChild(res)
			_ = c.SetWriteDeadline(time.Now().Add(idleTimeout))
			if _, err := c.Write(msg.Bytes()); err != nil {
				return
			}
		}
	}
}

// result is an LDAPResult of the given application tag.
func result(tag ber.Tag, code uint16, diag string) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(code), "resultCode"))
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, "diagnosticMessage"))
	return p
}

// bind answers a simple bind the way AD does, diagnostics included.
func (d *Directory) bind(op *ber.Packet) (*entry, *ber.Packet) {
	if len(op.Children) < 3 || op.Children[2].ClassType != ber.ClassContext || op.Children[2].Tag != 0 {
		return nil, result(ldap.ApplicationBindResponse, ldap.LDAPResultAuthMethodNotSupported, "only simple binds")
	}
	name := op.Children[1].Data.String()
	password := op.Children[2].Data.String()
	if password == "" {
		// AD answers an empty password with success: an anonymous bind,
		// which is why clients must refuse empty passwords themselves.
		return nil, result(ldap.ApplicationBindResponse, ldap.LDAPResultSuccess, "")
	}
	e := d.findBinder(name)
	switch {
	case e == nil || e.password != password:
		return nil, result(ldap.ApplicationBindResponse, ldap.LDAPResultInvalidCredentials, fmt.Sprintf(adBindDiag, "52e"))
	case e.disabled:
		return nil, result(ldap.ApplicationBindResponse, ldap.LDAPResultInvalidCredentials, fmt.Sprintf(adBindDiag, "533"))
	}
	return e, result(ldap.ApplicationBindResponse, ldap.LDAPResultSuccess, "")
}

// search answers a search request: entries, then the done message.
func (d *Directory) search(op *ber.Packet, bound *entry) []*ber.Packet {
	if bound == nil {
		return []*ber.Packet{result(ldap.ApplicationSearchResultDone, ldap.LDAPResultOperationsError, adNeedBindDiag)}
	}
	if len(op.Children) < 8 {
		return []*ber.Packet{result(ldap.ApplicationSearchResultDone, ldap.LDAPResultProtocolError, "malformed search")}
	}
	base := strings.ToLower(op.Children[0].Data.String())
	scope, _ := op.Children[1].Value.(int64)
	filter := op.Children[6]
	var out []*ber.Packet
	for _, e := range d.entries {
		dn := strings.ToLower(e.dn)
		if scope == int64(ldap.ScopeBaseObject) && dn != base || !strings.HasSuffix(dn, base) || !matches(e, filter) {
			continue
		}
		res := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultEntry, nil, "")
		res.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, e.dn, "objectName"))
		attrs := ber.NewSequence("attributes")
		for _, a := range op.Children[7].Children {
			name := a.Data.String()
			values := e.attrs[strings.ToLower(name)]
			if strings.EqualFold(name, "tokenGroups") {
				// AD computes tokenGroups for base-scope searches only.
				values = nil
				if scope == int64(ldap.ScopeBaseObject) {
					values = e.tokens
				}
			}
			if len(values) == 0 {
				continue
			}
			attr := ber.NewSequence("attribute")
			attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, name, "type"))
			set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "vals")
			for _, v := range values {
				set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "value"))
			}
			attr.AppendChild(set)
			attrs.AppendChild(attr)
		}
		res.AppendChild(attrs)
		out = append(out, res)
	}
	return append(out, result(ldap.ApplicationSearchResultDone, ldap.LDAPResultSuccess, ""))
}
