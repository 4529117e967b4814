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


for g in spec["groups"]:
    if g["name"] == "Domain Users":
        continue
    gtype = dsdb.GTYPE_DISTRIBUTION_GLOBAL_GROUP if g.get("distribution") else dsdb.GTYPE_SECURITY_GLOBAL_GROUP
    samdb.newgroup(g["name"], grouptype=gtype)

made_ous = set()
for u in spec["users"]:
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

for g in spec["groups"]:
    for parent in g.get("nested", []):
        samdb.add_remove_group_members(parent, [g["name"]], add_members_operation=True)
for u in spec["users"]:
    for grp in u.get("groups", []):
        samdb.add_remove_group_members(grp, [u["sam"]], add_members_operation=True)

# raw_attrs are written into the domain partition's file, below Samba's
# modules: the outsider's UPN is another account's implicit one, which Samba
# (like Windows 2012 R2+) refuses from a client, yet older DCs, replication
# and migrated directories do hold such clashes.
raw = [(u, a, v) for u in spec["users"] for a, v in u.get("raw_attrs", {}).items()]
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

print(json.dumps({"domain_sid": str(samdb.get_domain_sid())}))
