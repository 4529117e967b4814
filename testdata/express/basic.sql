-- A small eXpress database for pkg/express tests. Ids follow DS's ranges
-- (domain.md §1). Comments say which rule each row exercises.

-- Job folders: the top-level ImageInvoker root with two levels below it, a
-- nested folder of the same name elsewhere (top level is preferred), and an
-- unrelated tree.
INSERT INTO event_folder VALUES
(1000001, NULL, 'ImageInvoker'),
(1000002, 1000001, 'Imaging'),
(1000003, 1000002, 'Deep'),
(1000010, NULL, 'Other'),
(1000011, 1000010, 'imageinvoker'),
(1000020, NULL, 'Servers');

-- Jobs under the root (candidates), tagged elsewhere (candidates), and traps.
INSERT INTO event VALUES
(2000001, 'Capture base', 1000002, 'captures the reference image'),
(2000002, 'Deploy Win11', 1000003, NULL),
(2000003, 'Reboot only', 1000001, ''),
(2000004, 'Wipe and deploy', 1000020, 'Wipe [ImageInvoker: Quick deploy] now'),
(2000005, 'Inventory', NULL, 'x [IMAGEINVOKER] y'),
(2000006, 'Server image', 1000020, 'no tag here'),
(2000007, 'Bracket trap', 1000020, 'imageinvoker'),
(2000008, 'Nested root trap', 1000011, 'under the nested same-name folder'),
(2000009, 'Empty job', 1000002, NULL),
(2000010, 'Near tag', 1000020, '[imageinvokerX]'),
(2000011, 'Percent trap', 1000020, '100% [imageinvoker_]');

INSERT INTO task VALUES
(2000001, 1, 1, 15),
(2000002, 1, 1, 15),
(2000002, 1, 2, 11),
(2000003, 1, 1, 11), -- no reboot_task row: PowerType nil
(2000004, 1, 1, 10),
(2000005, 1, 1, 19),
(2000006, 1, 1, 15),
(2000008, 1, 1, 15);
INSERT INTO image_task VALUES
(2000001, 1, 1, 1),
(2000002, 1, 1, 0),
(2000006, 1, 1, 0),
(2000008, 1, 1, 1);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method) VALUES (2000002, 1, 2, 1);

-- Computer groups: Site A > Lab > Bench, and Site B.
INSERT INTO computer_group VALUES
(10, NULL, 'Site A'),
(11, 10, 'Lab'),
(12, 11, 'Bench'),
(20, NULL, 'Site B');

INSERT INTO computer VALUES
(5000001, 'PC-01', 12, 'SN123', 'AT-1', '4C4C4544-0042-3510-8052-B4C04F4B4E31'),
(5000002, 'PC-02', 20, 'CLONED', 'AT-2', NULL),
(5000003, 'PC-03', 20, 'CLONED', NULL, NULL),
(5000004, 'PC-04', NULL, '', '', '');
INSERT INTO nics VALUES
(5000001, 1, '001122334455'),
(5000001, 2, '001122334456'),
(5000002, 1, 'AABBCCDDEEFF'),
(5000003, 1, 'AABBCCDDEE00');

-- Console users and groups, laid out as DS keeps them (docs/ds-schema.md):
-- user names through the DS cipher (the comment gives the plain name), the
-- domain in its own columns. The identity in the tests is LAB\tech1
-- (lab.example) in LAB\Imaging Techs and LAB\Domain Users.
INSERT INTO securityuser(user_id, username, netbiosdomain, domain) VALUES (14000001, 'S_MSAIuLDKv_^P', 'LAB', 'lab.example'); -- tech1, an NT account of LAB
INSERT INTO securityuser(user_id, username, password) VALUES (14000002, 'S_MSAJuLGX[kuP', 'TIMW[]AIDJn^lP'); -- tech2, a DS console account (password s3cret)
INSERT INTO securityuser(user_id, username, netbiosdomain) VALUES (14000003, 'S_MSAIuLDKv_^P', 'OTHER'); -- tech1 of another domain: never LAB's
INSERT INTO securityuser(user_id, username, password) VALUES (14000004, 'F^CS@VuHCmsRlp', 'TIMW[]AIDJn^lP'); -- admin, a DS console account
INSERT INTO securitygroup(group_id, name, ad_group_netbiosdomain) VALUES
(15000001, 'Imaging Techs', 'LAB'),
(15000002, 'Domain Admins', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain) VALUES (15000003, 'Administrators', 'lab.example'); -- by DNS name only
INSERT INTO securitygroup(group_id, name) VALUES
(15000004, 'Nobody'), -- DS-native, no members
(15000005, 'Bench crew'); -- DS-native: tech2 is a member
INSERT INTO securitygroupmember VALUES (15000005, 14000002);
INSERT INTO securityprivilegelink VALUES
(15000003, 1),
(14000004, 1),
(15000001, 2); -- another right: not Administrative

INSERT INTO securitypermission VALUES (66, 'Schedule this job', NULL);
-- Loaded for LAB\tech1: matched principals, permissions that matter, objects that matter.
INSERT INTO securitypermissionlink VALUES
(66, 14000001, 1000001, 1),
(66, 15000001, 2000002, 0),
(39, 15000001, 12, 1),
(40, 15000001, 10, 1),
(40, 15000001, -1, 1),
(51, 14000001, 5000001, 1),
-- Not loaded: another group's tree, another computer, an unrelated
-- permission, principals that do not match.
(39, 15000001, 20, 1),
(39, 14000001, 5000002, 1),
(7, 14000001, 1000001, 1),
(66, 14000003, 1000001, 1),
(66, 15000004, 2000001, 1);

-- Schedules: one pending (Capture base on PC-01), one finished, and one
-- outside DS's schedule id range that must not move the next id.
INSERT INTO event_schedule VALUES
(100000005, 5000001, 2000001, '2024-01-02 03:04:05', NULL, NULL, 'LAB\someone', 'Some One'),
(100000007, 5000001, 2000002, '2024-01-02 03:04:05', 'Complete', 0, 'LAB\someone', 'Some One'),
(300000000, 5000002, 2000002, NULL, NULL, 5, NULL, NULL);
