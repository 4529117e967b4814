-- The fixture schema of the eXpress tables ImageInvoker reads and writes.
-- It is the contract: the same DDL runs on SQLite (embedded store, tests) and
-- mirrors the real DS 6.9 tables of the same names on SQL Server as far as the
-- evidence goes (docs/ds-schema.md says, for every name, how sure it is).
-- image_task.create_image and securitygroupmember are stand-ins: DS's own
-- names are unknown (discovery picks among the known readings at open).
CREATE TABLE event_folder(folder_id INT PRIMARY KEY, parent_id INT NULL, name NVARCHAR(255) NOT NULL);
CREATE TABLE event(event_id INT PRIMARY KEY, name NVARCHAR(255) NOT NULL, folder_id INT NULL, description NVARCHAR(1024) NULL);
CREATE TABLE task(event_id INT, cond_seq INT, task_seq INT, task_type INT, PRIMARY KEY(event_id, cond_seq, task_seq));
CREATE TABLE image_task(event_id INT, cond_seq INT, task_seq INT, create_image INT);
-- The jobs a task starts on a return code (DS reads "select handler from
-- task_return_handlers where event_id="); columns between the two are a reading.
CREATE TABLE task_return_handlers(event_id INT, cond_seq INT, task_seq INT, return_code INT NULL, handler INT);
CREATE TABLE reboot_task(event_id INT, cond_seq INT, task_seq INT, reboot_method INT, force INT);
CREATE TABLE computer_group(group_id INT PRIMARY KEY, parent_id INT NULL, name NVARCHAR(255) NOT NULL);
CREATE TABLE computer(computer_id INT PRIMARY KEY, name NVARCHAR(64) NOT NULL, group_id INT NULL, serial_num NVARCHAR(64) NULL,
                      asset_tag NVARCHAR(64) NULL, uuid NVARCHAR(64) NULL);
CREATE TABLE nics(computer_id INT, nic_id INT, mac_addr CHAR(12), PRIMARY KEY(computer_id, nic_id));
-- username, password and upnname hold DS-cipher text (docs/ds-schema.md).
CREATE TABLE securityuser(user_id INT PRIMARY KEY, username NVARCHAR(92) NOT NULL, fullname NVARCHAR(255) NULL,
  description NVARCHAR(255) NULL, domain NVARCHAR(255) NULL, netbiosdomain NVARCHAR(64) NULL,
  password NVARCHAR(255) NULL, displayname NVARCHAR(255) NULL, upnname NVARCHAR(255) NULL);
CREATE TABLE securitygroup(group_id INT PRIMARY KEY, name NVARCHAR(50) NOT NULL, description NVARCHAR(255) NULL,
  ad_group_domain NVARCHAR(255) NULL, ad_group_netbiosdomain NVARCHAR(64) NULL);
CREATE TABLE securitygroupmember(group_id INT, user_id INT, PRIMARY KEY(group_id, user_id));
CREATE TABLE securitypermission(permission_id INT PRIMARY KEY, name NVARCHAR(255), description NVARCHAR(255));
CREATE TABLE securitypermissionlink(permission_id INT, user_id INT, object_id INT, allow INT, PRIMARY KEY(permission_id, user_id, object_id));
-- Rights: DS writes them with wc_ins_security_privilege_link (docs/ds-schema.md, "Rights").
CREATE TABLE securityprivilegelink(user_id INT, privilege_id INT, PRIMARY KEY(user_id, privilege_id));
CREATE TABLE event_schedule(schedule_id INT PRIMARY KEY, computer_id INT NOT NULL, event_id INT NOT NULL, start_time DATETIME NULL,
                            status NVARCHAR(255) NULL, status_code INT NULL, user_name NVARCHAR(255) NULL, user_full_name NVARCHAR(255) NULL);
-- Indexes DS has on its own tables in some form; the embedded store needs them for the same lookups.
CREATE INDEX ix_event_folder ON event(folder_id);
CREATE INDEX ix_nics_mac ON nics(mac_addr);
CREATE INDEX ix_computer_serial ON computer(serial_num);
CREATE INDEX ix_splink_user ON securitypermissionlink(user_id, permission_id);
CREATE INDEX ix_schedule_computer ON event_schedule(computer_id, event_id);
