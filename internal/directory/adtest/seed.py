# Seeds a freshly provisioned Samba AD DC for the adtest harness. One Python
# process with Samba's own bindings (what samba-tool runs on) instead of one
# samba-tool call per object: 30 calls cost ~20 s, this costs ~1 s.
#
# Input (stdin, JSON): {"url": sam.ldb path, "groups": [...], "users": [...]}
import glob
import json
import sys

import ldb
from samba import dsdb
from samba.dcerpc import security
from samba.ndr import ndr_unpack
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

spec = json.load(sys.stdin)
lp = LoadParm()
lp.load(spec["smbconf"])
samdb = SamDB(url=spec["url"], session_info=system_session(), lp=lp)
base = str(samdb.domain_dn())


def set_attr(dn, attr, value, controls=None):
    msg = ldb.Message()
    msg.dn = ldb.Dn(samdb, dn)
    msg[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, attr)
    samdb.modify(msg, controls=controls)


for g in (spec.get("groups") or []):
    if g["name"] == "Domain Users":
        continue
    if g.get("domain_local"):
        gtype = dsdb.GTYPE_DISTRIBUTION_DOMAIN_LOCAL_GROUP if g.get("distribution") else dsdb.GTYPE_SECURITY_DOMAIN_LOCAL_GROUP
    else:
        gtype = dsdb.GTYPE_DISTRIBUTION_GLOBAL_GROUP if g.get("distribution") else dsdb.GTYPE_SECURITY_GLOBAL_GROUP
    samdb.newgroup(g["name"], grouptype=gtype)

made_ous = set()
for u in (spec.get("users") or []):
    ou = u.get("ou")
    if ou and ou not in made_ous:
        samdb.add({"dn": "%s,%s" % (ou, base), "objectClass": "organizationalUnit"})
        made_ous.add(ou)
    samdb.newuser(u["sam"], u["password"], useusernameascn=True, userou=ou,
                  force_password_change_at_next_login_req=u.get("must_change", False))
    dn = "CN=%s,%s,%s" % (u["sam"], ou or "CN=Users", base)
    if u.get("display_name"):
        set_attr(dn, "displayName", u["display_name"])
    if u.get("no_upn"):
        msg = ldb.Message()
        msg.dn = ldb.Dn(samdb, dn)
        msg["userPrincipalName"] = ldb.MessageElement([], ldb.FLAG_MOD_DELETE, "userPrincipalName")
        samdb.modify(msg)
    for attr, value in u.get("attrs", {}).items():
        set_attr(dn, attr, value)
    if u.get("no_logon_hours"):
        # 21 zero bytes: no hour of the week is allowed (AD data 530).
        set_attr(dn, "logonHours", bytes(21))
    if u.get("disabled"):
        samdb.disable_account("(sAMAccountName=%s)" % u["sam"])

for g in (spec.get("groups") or []):
    for parent in g.get("nested", []):
        samdb.add_remove_group_members(parent, [g["name"]], add_members_operation=True)
for u in (spec.get("users") or []):
    for grp in u.get("groups", []):
        samdb.add_remove_group_members(grp, [u["sam"]], add_members_operation=True)

# raw_attrs are written into the domain partition's file, below Samba's
# modules: the outsider's UPN is another account's implicit one, which Samba
# (like Windows 2012 R2+) refuses from a client, yet older DCs, replication
# and migrated directories do hold such clashes.
raw = [(u, a, v) for u in (spec.get("users") or []) for a, v in u.get("raw_attrs", {}).items()]
if raw:
    part = [p for p in glob.glob(spec["url"] + ".d/DC=*.ldb")]
    if len(part) != 1:
        raise SystemExit("domain partition file: %r" % part)
    del samdb
    rawdb = ldb.Ldb(part[0])
    for u, attr, value in raw:
        msg = ldb.Message()
        msg.dn = ldb.Dn(rawdb, "CN=%s,%s,%s" % (u["sam"], u.get("ou") or "CN=Users", base))
        msg[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, attr)
        rawdb.modify(msg)
    samdb = SamDB(url=spec["url"], session_info=system_session(), lp=lp)

# Members of another domain by SID: the DC makes the foreign security
# principal CN=<SID>,CN=ForeignSecurityPrincipals,<base> (as AD does when an
# administrator adds a trusted domain's account) and links it as member.
for f in (spec.get("foreign") or []):
    res = samdb.search(base, expression="(&(objectClass=group)(sAMAccountName=%s))" % ldb.binary_encode(f["group"]), attrs=[])
    if len(res) != 1:
        raise SystemExit("foreign member: no group %r" % f["group"])
    msg = ldb.Message()
    msg.dn = res[0].dn
    # A well-known SID (Authenticated Users) has its FSP from provision:
    # link that one; Samba would try to create it again for <SID=...>.
    fsp = samdb.search("CN=ForeignSecurityPrincipals," + base, scope=ldb.SCOPE_ONELEVEL,
                       expression="(objectSid=%s)" % f["sid"], attrs=[])
    value = str(fsp[0].dn) if len(fsp) == 1 else "<SID=%s>" % f["sid"]
    msg["member"] = ldb.MessageElement(value, ldb.FLAG_MOD_ADD, "member")
    samdb.modify(msg)

sids = {}
names = [g["name"] for g in (spec.get("groups") or [])] + [u["sam"] for u in (spec.get("users") or [])] + ["Domain Users"]
for name in names:
    res = samdb.search(base, expression="(sAMAccountName=%s)" % ldb.binary_encode(name), attrs=["objectSid"])
    if len(res) == 1:
        sids[name] = str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))

print(json.dumps({"domain_sid": str(samdb.get_domain_sid()), "sids": sids}))
