-- A hand-written eXpress database for the preview and run commands' tests.
-- Each permission row is here for one DS console-security rule (domain.md §1);
-- internal/app/app_test.go states the menus that follow from them.

-- Job folders: ImageInvoker > Windows > Lab, ImageInvoker > Utilities, and Other outside the menu root.
INSERT INTO event_folder VALUES
(1000001, NULL, 'ImageInvoker'),
(1000002, 1000001, 'Windows'),
(1000003, 1000002, 'Lab'),
(1000004, 1000001, 'Utilities'),
(1000010, NULL, 'Other');

INSERT INTO event VALUES
(2000133, 'Win11 Physics', 1000003, 'Windows 11 for the physics lab'),
(2000134, 'Win11 Chemistry', 1000003, 'Windows 11 for the chemistry lab'),
(2000140, 'BIOS update', 1000004, 'Flashes the current BIOS'),
(2000141, 'Disk wipe', 1000004, 'Scripted wipe and reinstall'),
(2000150, 'Collect inventory', 1000010, 'Runs inventory [imageinvoker: Inventory]'),
(2000151, 'Server inventory', 1000010, 'not for the boot menu');

-- Physics: distribute an image, then reboot. Chemistry: distribute only.
INSERT INTO task VALUES
(2000133, 1, 1, 15),
(2000133, 1, 2, 11),
(2000134, 1, 1, 15),
(2000140, 1, 1, 10),
(2000141, 1, 1, 17),
(2000150, 1, 1, 19),
(2000151, 1, 1, 19);
INSERT INTO image_task VALUES
(2000133, 1, 1, 0),
(2000134, 1, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method) VALUES (2000133, 1, 2, 1);
-- Return handlers: Disk wipe starts Server inventory on a return code, which
-- nobody here may schedule, and Server inventory starts Disk wipe again (a
-- cycle). Disk wipe is refused on its own already, so no menu changes.
INSERT INTO task_return_handlers VALUES
(2000141, 1, 1, 1, 2000151),
(2000151, 1, 1, NULL, 2000141);

INSERT INTO computer_group VALUES
(10, NULL, 'Labs'),
(11, 10, 'Physics');
INSERT INTO computer VALUES
(5000001, 'PC-042', 11, 'SN-042', 'AT-042', '4C4C4544-0042-3510-8052-B4C04F4B4E31'),
(5000002, 'PC-043', 11, 'SN-043', NULL, NULL);
INSERT INTO nics VALUES
(5000001, 1, 'AABBCCDDEEFF'),
(5000001, 2, 'AABBCCDDEE00'),
(5000002, 1, '001122334455');

-- Console users and groups as DS keeps them: user names through the DS
-- cipher (the comment gives the plain name), domains in their own columns.
INSERT INTO securityuser(user_id, username, netbiosdomain, domain) VALUES (14000001, 'FVGSJ]uHHmB{}`', 'LAB', 'lab.example'); -- LAB\alice
INSERT INTO securityuser(user_id, username, netbiosdomain) VALUES (14000002, 'FVGSJ]uHHmB{}`', 'OTHER');                   -- OTHER\alice: not LAB's
INSERT INTO securityuser(user_id, username, fullname, password) VALUES (14000003, 'LSASZSuH|Pw}sP', 'Kiosk account', 'LSASZSXHn}rdhpm]`N_P'); -- kiosk, a DS console account (password kiosk-demo)
-- A hidden console user DS made for an AD user (SecurityUser::ImportInternalADUser): LAB\bob, with no
-- entries of its own. It is a console user like any other and changes no menu.
INSERT INTO securityuser(user_id, username, description, netbiosdomain, domain) VALUES (14000004, 'EULSiPTPaW|`', 'Internal AD User', 'LAB', 'lab.example'); -- LAB\bob
INSERT INTO securitygroup(group_id, name, ad_group_netbiosdomain) VALUES
(15000001, 'Techs', 'LAB'),
(15000002, 'Imaging', 'LAB'),
(15000003, 'DS Admins', 'LAB'),
(15000004, 'Techs', 'OTHER'); -- same name, another domain
INSERT INTO securitygroup(group_id, name) VALUES (15000005, 'Bench'); -- DS-native: kiosk is a member
INSERT INTO securitygroupmember VALUES (15000005, 14000003);
INSERT INTO securityprivilegelink VALUES (15000003, 1);

-- "Schedule this job" (66).
INSERT INTO securitypermissionlink VALUES
(66, 15000001, 1000001, 1), -- Techs allowed on the whole root...
(66, 15000001, 1000003, 0), -- ...but denied on Lab: the nearest level decides
(66, 15000002, 1000003, 1), -- Imaging allowed on Lab: deny beats allow among groups
(66, 14000001, 2000134, 1), -- alice herself on Chemistry: user beats groups
(66, 15000001, 1000004, 1), -- Techs on Utilities
(66, 15000001, 2000141, 0), -- but not Disk wipe
(66, 15000001, 2000150, 1), -- the tagged job outside the root
-- Task permissions on the computer, through its groups and All Computers (-1).
(40, 15000001, 10, 1), -- distribute image on Labs
(51, 15000001, -1, 1), -- reboot on All Computers
(48, 15000001, 11, 1), -- run script on Physics
(64, 15000001, -1, 1), -- inventory on All Computers
-- OTHER's alice and OTHER's Techs: entries that must never reach LAB's accounts.
(66, 14000002, 2000133, 1), -- OTHER\alice on Physics
(66, 15000004, 2000133, 1), -- OTHER\Techs on Physics
(66, 15000004, -10, 0), -- OTHER\Techs denied on All Jobs, the top of every job walk: nearer entries beat it
(40, 15000004, 10, 1),
(51, 15000004, -1, 1),
-- The DS console group Bench (kiosk): Utilities, running scripts.
(66, 15000005, 1000004, 1),
(48, 15000005, -1, 1);
