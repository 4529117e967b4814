-- The ImageInvoker demo eXpress dataset. Generated from internal/demo/dataset.go by
-- `go test ./internal/demo -run TestDatasetSQLFixture -update`; do not edit by hand.

-- securitypermission
INSERT INTO securitypermission(permission_id, name, description) VALUES(1, 'View', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(2, 'Modify', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(3, 'Delete', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(4, 'Create', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(5, 'Move', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(6, 'Rename', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(7, 'Change permissions', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(8, 'Export', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(9, 'Import', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(10, 'Remote control', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(11, 'Chat', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(12, 'Send file', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(13, 'Execute', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(14, 'Power control', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(15, 'Restore', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(16, 'Install Automation Partition', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(17, 'Uninstall Automation Partition', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(18, 'Change agent settings', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(19, 'Install agent', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(20, 'Uninstall agent', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(21, 'Computer properties', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(22, 'Reset connection', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(23, 'Clear status', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(24, 'Cancel schedule', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(25, 'Reschedule', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(26, 'Allocate to group', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(27, 'Create computer', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(28, 'Delete computer', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(29, 'Create computer group', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(30, 'Delete computer group', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(31, 'Create job', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(32, 'Delete job', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(33, 'Modify job', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(34, 'Create job folder', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(35, 'Delete job folder', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(36, 'Modify job folder', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(37, 'Run job now', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(38, 'View job status', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(39, 'Schedule: Create disk image', 'Schedule jobs that create a disk image on these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(40, 'Schedule: Distribute disk image', 'Schedule jobs that distribute a disk image to these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(41, 'Schedule: Modify configuration', 'Schedule jobs that modify the configuration of these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(42, 'Schedule: Distribute software', 'Schedule jobs that distribute software to these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(43, 'Schedule: Capture personality', 'Schedule jobs that capture personality settings from these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(44, 'Schedule: Distribute personality', 'Schedule jobs that distribute personality settings to these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(45, 'Schedule: Back up registry', 'Schedule jobs that back up the registry of these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(46, 'Schedule: Restore registry', 'Schedule jobs that restore the registry of these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(47, 'Schedule: Copy file to', 'Schedule jobs that copy files to these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(48, 'Schedule: Run script', 'Schedule jobs that run scripts on these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(49, 'Schedule: Scripted OS install', 'Schedule jobs that run a scripted OS install on these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(50, 'Schedule: Shut down', 'Schedule jobs that shut these computers down');
INSERT INTO securitypermission(permission_id, name, description) VALUES(51, 'Schedule: Reboot', 'Schedule jobs that reboot these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(52, 'Schedule: Log off', 'Schedule jobs that log the user off these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(53, 'Schedule: Wake up', 'Schedule jobs that wake these computers up');
INSERT INTO securitypermission(permission_id, name, description) VALUES(54, 'View history', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(55, 'Clear history', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(56, 'Replicate', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(57, 'Apply rules', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(58, 'Set initial deployment', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(59, 'Manage licenses', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(60, 'Manage PXE', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(61, 'Manage boot disks', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(62, 'Manage resource library', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(63, 'Manage lab builder', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(64, 'Schedule: Get inventory', 'Schedule jobs that collect inventory from these computers');
INSERT INTO securitypermission(permission_id, name, description) VALUES(65, 'Manage conditions', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(66, 'Schedule this job', 'Schedule this job or the jobs in this folder');
INSERT INTO securitypermission(permission_id, name, description) VALUES(67, 'Manage tokens', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(68, 'Manage reports', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(69, 'Run reports', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(70, 'Manage web console', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(71, 'Manage sites', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(72, 'Manage connections', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(73, 'Manage security', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(74, 'Manage options', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(75, 'Manage auto-deploy', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(76, 'Manage agents', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(77, 'Manage images', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(78, 'Manage packages', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(79, 'Manage scripts', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(80, 'Manage personalities', NULL);
INSERT INTO securitypermission(permission_id, name, description) VALUES(81, 'Manage users', NULL);

-- event_folder
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000001, NULL, 'ImageInvoker');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000002, 1000001, 'Windows 11');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000003, 1000002, 'Student Labs');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000004, 1000002, 'Staff Laptops');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000005, 1000001, 'Windows 10');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000006, 1000005, 'Finance');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000007, 1000005, 'Science');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000008, 1000005, 'Library');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000009, 1000001, 'Linux');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000010, 1000001, 'Utilities');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000020, NULL, 'Server Builds');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000021, NULL, 'Maintenance');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000022, NULL, 'Archive');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000023, 1000022, 'Windows XP');
INSERT INTO event_folder(folder_id, parent_id, name) VALUES(1000024, 1000022, 'Retired 2019');

-- event
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000001, 'Win11 Physics Lab', 1000003, 'Windows 11 23H2 for rooms P1.04 and P1.06: Logger Pro, LabVIEW runtime, PASCO Capstone. Image PHYS-W11-2025-08.img. Reboots into Windows when done.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000002, 'Win11 Chemistry Lab', 1000003, 'Windows 11 23H2 for C2.10. ChemDraw licence is applied by the post-image script (needs the lab VLAN).');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000003, 'Win11 Computer Science Lab', 1000003, 'Windows 11 with VS Code, Python 3.12, Git, WSL feature enabled. Script renames the PC from the asset tag.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000004, 'Win11 Art & Design Lab (Adobe CC 2025)', 1000003, 'Large image (~140 GB). Takes about 45 minutes on gigabit. [ImageInvoker: Win11 Art Lab (large image, ~45 min)]');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000005, 'Win11 Staff Laptop (Dell Latitude 7440)', 1000004, 'Staff build with Office, Teams, VPN client. Post-image script joins the domain into OU=Staff Laptops; BitLocker starts on first login.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000006, 'Win11 Staff Laptop (HP EliteBook 840 G10)', 1000004, 'Same build as the Dell one, HP driver pack 2025-06. Dock the laptop: Wi-Fi PXE does not work.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000007, 'Win10 Finance Desktop', 1000006, 'Windows 10 22H2 LTSC with SAP GUI 7.70 and the finance printers. Until the SAP upgrade; ask Finance IT before using.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000008, 'Win10 Payroll Workstation', 1000006, 'Payroll build. The script installs the smart card middleware.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000009, 'Win10 Science Lab (legacy instruments)', 1000007, 'Kept on Windows 10 for the spectrometer software that has no Windows 11 driver.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000010, 'Win10 Library Catalogue PC', 1000008, 'Locked-down catalogue search, auto-logon kiosk account.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000011, 'Win10 Library Self-Checkout', 1000008, 'Self-checkout station with the RFID pad driver.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000012, 'Ubuntu 24.04 Lab', 1000009, 'Autoinstall from the PXE mirror, then reboot. Disk is wiped.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000013, 'Ubuntu 22.04 Lab (legacy)', 1000009, 'Only for the robotics room until ROS 2 Jazzy is validated.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000014, 'Rocky Linux 9 Workstation', 1000009, 'Kickstart install for the HPC login workstations; script enrols the machine in IdM.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000015, 'BIOS update (Dell)', 1000010, 'Flashes the latest BIOS from \\ds01\express\bios\dell with the BIOS password. Leave AC power connected.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000016, 'BIOS update (HP)', 1000010, 'HP BIOS via HPQFlash. Laptops need the charger.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000017, 'Disk wipe (DoD 3-pass)', 1000010, 'DESTROYS ALL DATA. Three-pass overwrite for disposal, then shuts down. Log the asset tag on the disposal sheet. [imageinvoker: erases]');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000018, 'Inventory only', 1000010, 'Collects hardware inventory, changes nothing.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000019, 'Capture image', 1000010, 'Captures the disk to \\ds01\express\images\capture\%NAME%.img. Sysprep the reference machine first.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000020, 'Restore last capture', 1000010, 'Re-deploys the last captured image. Imported from the old DS 6.5 server.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000021, 'Shut down', 1000010, 'Turns the machine off, e.g. after a BIOS update left it on.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000022, 'Win11 Base (no apps)', 1000002, 'Plain Windows 11 23H2 with drivers only, for testing.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000023, 'Windows Server 2022 Standard', 1000020, 'Unattended install for VM hosts. Server team only.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000024, 'Windows Server 2019 Standard (retired)', 1000020, 'Do not use, kept for the rebuild of ds01.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000025, 'Reset TPM and BitLocker', 1000021, 'Clears the TPM and suspends BitLocker before a motherboard swap. [imageinvoker]');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000026, 'FW-AUDIT-v3', 1000021, 'Reads firmware versions into inventory. [ImageInvoker: Firmware audit (read-only)]');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000027, 'Nightly inventory sweep', 1000021, 'Scheduled by the server every night at 02:00.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000028, 'Kiosk refresh (reception)', NULL, 'Re-images the reception kiosks overnight. [IMAGEINVOKER: Kiosk refresh]');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000029, 'test job - do not use', NULL, NULL);
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000030, 'Win7 Lab (2015)', 1000024, 'Kept for reference; see the imageinvoker wiki page before deleting.');
INSERT INTO event(event_id, name, folder_id, description) VALUES(2000031, 'XP Lab 2009', 1000023, NULL);

-- task
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000001, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000001, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000002, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000002, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000002, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000003, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000003, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000003, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000004, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000004, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000005, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000005, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000005, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000006, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000006, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000006, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000007, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000007, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000008, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000008, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000008, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000009, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000009, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000009, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000010, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000010, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000011, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000011, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000012, 1, 1, 17);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000012, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000013, 1, 1, 17);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000013, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000014, 1, 1, 17);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000014, 1, 2, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000014, 1, 3, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000015, 1, 1, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000015, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000016, 1, 1, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000016, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000017, 1, 1, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000017, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000018, 1, 1, 19);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000019, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000019, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000020, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000020, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000021, 1, 1, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000022, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000022, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000023, 1, 1, 17);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000023, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000024, 1, 1, 17);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000025, 1, 1, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000025, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000026, 1, 1, 19);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000027, 1, 1, 19);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000028, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000028, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000029, 1, 1, 10);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000030, 1, 1, 15);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000030, 1, 2, 11);
INSERT INTO task(event_id, cond_seq, task_seq, task_type) VALUES(2000031, 1, 1, 15);

-- image_task
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000001, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000002, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000003, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000004, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000005, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000006, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000007, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000008, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000009, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000010, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000011, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000019, 1, 1, 1);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000022, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000028, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000030, 1, 1, 0);
INSERT INTO image_task(event_id, cond_seq, task_seq, create_image) VALUES(2000031, 1, 1, 0);

-- reboot_task
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000001, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000002, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000003, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000004, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000005, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000006, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000007, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000008, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000009, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000010, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000011, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000012, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000014, 1, 3, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000015, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000016, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000017, 1, 2, 2, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000019, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000020, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000021, 1, 1, 2, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000022, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000023, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000025, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000028, 1, 2, 1, 0);
INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method, force) VALUES(2000030, 1, 2, 1, 0);

-- computer_group
INSERT INTO computer_group(group_id, parent_id, name) VALUES(1, NULL, 'Labs');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(2, 1, 'Physics');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(3, 1, 'Chemistry');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(4, NULL, 'Staff');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(5, 4, 'Finance');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(6, NULL, 'Library');
INSERT INTO computer_group(group_id, parent_id, name) VALUES(-7, NULL, 'New Computers');

-- computer
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000042, 'PC-042', 2, '2217-4406-4631-0781-6912-2468-42', 'LAB-P-042', '6B29FC40-CA47-1067-B31D-00DD010662DA');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000043, 'PC-043', 2, '2217-4406-4631-0781-6912-2468-43', 'LAB-P-043', '6B29FC40-CA47-1067-B31D-00DD010662DB');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000101, 'CHEM-PC-01', 3, 'CZC3481KQ7', 'LAB-C-001', '4C4C4544-0042-3510-8052-B7C04F4B3332');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000201, 'LIB-PC-07', 6, 'MJ0F7Q2A', 'LIB-007', '2D5A1F00-8C31-11EC-8000-3C52820A1B07');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000301, 'FIN-LT-12', 5, '5CG4071XYZ', 'FIN-012', '8A3E2C10-4F6B-4B8E-9E0A-D0C1B5E2F012');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000401, 'MININT-4Q7K2PA', -7, 'VMware-56 4d 9a 4f 21 0e 7c 1b', NULL, '564D9A4F-210E-7C1B-3A8E-0050569A4F21');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000402, 'STAFF-LT-03', 4, '7HX2KD3', 'STF-003', '4C4C4544-0048-5810-8032-B7C04F4B3233');
INSERT INTO computer(computer_id, name, group_id, serial_num, asset_tag, uuid) VALUES(5000501, 'RECEPTION-01', NULL, '8CG3302KQS', 'REC-001', '9F1C7B20-5E4A-4C11-A0B3-0023245E0501');

-- nics
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000042, 1, '00155D2A0042');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000043, 1, '00155D2A0043');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000101, 1, 'F8B156A3C201');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000201, 1, '3C52820A1B07');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000301, 1, 'D0C1B5E2F012');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000301, 2, 'A4423B9C7D12');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000401, 1, '0050569A4F21');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000402, 1, '54BF64A1D303');
INSERT INTO nics(computer_id, nic_id, mac_addr) VALUES(5000501, 1, '0023245E0501');

-- securityuser
INSERT INTO securityuser(user_id, username, fullname, domain, netbiosdomain, password) VALUES(14000001, 'EULSiPTPaW|`', 'Bob Desktop', 'lab.example', 'LAB', NULL); -- LAB\bob
INSERT INTO securityuser(user_id, username, fullname, domain, netbiosdomain, password) VALUES(14000002, 'AHOSGSuHabxcl@', 'Frank Field', 'lab.example', 'LAB', NULL); -- LAB\frank
INSERT INTO securityuser(user_id, username, fullname, domain, netbiosdomain, password) VALUES(14000003, 'LSASZSuH|Pw}sP', 'Reception Kiosk Bench', NULL, NULL, 'LSASZSXHn}rdhpm]`N_P'); -- .\kiosk, password kiosk-demo
INSERT INTO securityuser(user_id, username, fullname, domain, netbiosdomain, password) VALUES(14000004, 'EULSiPTPaW|`', 'Bob (old domain)', 'oldlab.example', 'OLDLAB', NULL); -- OLDLAB\bob

-- securitygroup
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000001, 'Techs', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000002, 'Imaging Techs', NULL, 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000003, 'Helpdesk', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000004, 'DS Admins', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000005, 'Contractors', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000006, 'Administrators', 'lab.example', NULL);
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000007, 'Finance IT', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000008, 'Domain Users', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000009, 'All Staff', 'lab.example', 'LAB');
INSERT INTO securitygroup(group_id, name, ad_group_domain, ad_group_netbiosdomain) VALUES(15000010, 'Bench Crew', NULL, NULL);

-- securitygroupmember
INSERT INTO securitygroupmember(group_id, user_id) VALUES(15000010, 14000003);

-- securityprivilegelink
INSERT INTO securityprivilegelink(user_id, privilege_id) VALUES(15000006, 1);
INSERT INTO securityprivilegelink(user_id, privilege_id) VALUES(15000004, 1);

-- securitypermissionlink
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000002, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000004, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 14000001, 1000004, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000005, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000002, 1000005, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 14000001, 1000005, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000007, 1000006, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000005, 1000008, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000002, 1000009, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000010, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000003, 1000010, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 2000017, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000002, 2000017, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000004, 2000017, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000020, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 1000021, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000003, 2000026, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000001, 2000028, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 14000002, 1000001, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000009, 1000001, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 15000001, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 15000001, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(48, 15000001, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(50, 15000001, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(64, 15000001, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(39, 15000002, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(49, 15000002, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(48, 15000003, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 15000003, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(64, 15000003, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(50, 15000003, -1, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(64, 15000008, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 15000005, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 15000005, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 15000005, 1, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 15000007, 5, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 15000007, 5, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(48, 15000007, 5, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(39, 14000002, 1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 14000002, 1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 14000004, 1000002, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 14000004, -1, 0);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000010, 2000018, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 15000010, 2000026, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(64, 15000010, -1, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(66, 14000003, 2000028, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(40, 14000003, 5000501, 1);
INSERT INTO securitypermissionlink(permission_id, user_id, object_id, allow) VALUES(51, 14000003, 5000501, 1);

-- event_schedule
INSERT INTO event_schedule(schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name) VALUES(100000001, 5000043, 2000001, '2025-09-01 07:42:00', 'Job completed', 0, 'LAB\alice', 'Alice Imaging');
INSERT INTO event_schedule(schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name) VALUES(100000002, 5000101, 2000018, '2025-09-03 12:05:00', 'Job completed', 0, 'LAB\carol', 'Carol Helpdesk');
