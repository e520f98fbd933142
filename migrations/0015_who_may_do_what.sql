CREATE TABLE `announcement_proxy_acts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`announcement_id` integer NOT NULL,
	`by_id` integer NOT NULL,
	`act` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `announcement_proxy_acts_idx` ON `announcement_proxy_acts` (`announcement_id`,`id`);--> statement-breakpoint
CREATE TABLE `petition_organizer_invitations` (
	`petition_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`invited_by_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`petition_id`, `person_id`),
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invited_by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `organizer_invitations_person_idx` ON `petition_organizer_invitations` (`person_id`);--> statement-breakpoint
ALTER TABLE `milestones` ADD `origin` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `milestones` ADD `response_requested` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `milestones` ADD `response_approved_by_id` integer REFERENCES people(id);--> statement-breakpoint
ALTER TABLE `petition_co_sponsors` ADD `dropped_at` integer;--> statement-breakpoint
ALTER TABLE `petitions` ADD `body_html` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `petitions` ADD `close_requested_at` integer;--> statement-breakpoint
ALTER TABLE `petitions` ADD `close_request_reason` text;--> statement-breakpoint
-- Co-sponsoring is an endorsement that counts toward opening, nothing more: co-sponsors leave the
-- organizers (they keep their co-sponsorship); co-organizers already added stay organizers.
DROP VIEW `petition_organizers`;--> statement-breakpoint
CREATE VIEW `petition_organizers` AS
  SELECT `id` AS `petition_id`, `creator_id` AS `person_id` FROM `petitions`
  UNION SELECT `petition_id`, `person_id` FROM `petition_co_organizers`;--> statement-breakpoint
-- Milestones a creator added (any threshold the platform's defaults do not have): capped from now on,
-- and their response obligations binding only once a moderator approves. Those not reached yet that
-- ask for a response become requests awaiting approval; reached ones keep their history.
UPDATE `milestones` SET `origin` = 'organizer'
  WHERE `threshold` NOT IN (SELECT `threshold` FROM `milestone_defaults`);--> statement-breakpoint
UPDATE `milestones` SET `response_requested` = 1, `response_required` = 0, `response_due_at` = NULL
  WHERE `origin` = 'organizer' AND `response_required` = 1 AND `reached_at` IS NULL;--> statement-breakpoint
UPDATE `milestones` SET `response_requested` = 1
  WHERE `origin` = 'organizer' AND `response_required` = 1;--> statement-breakpoint
-- Bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9) out of single-line fields: they
-- reorder what is shown (a title's "exe.gnp" as "png.exe") in pages and email subjects.
UPDATE `petitions` SET `title` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`title`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `summary` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`summary`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `category` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`category`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), '');--> statement-breakpoint
UPDATE `announcements` SET `title` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`title`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), '');--> statement-breakpoint
UPDATE `policies` SET `title` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`title`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `summary` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`summary`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `owner_team` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`owner_team`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), '');--> statement-breakpoint
UPDATE `people` SET `name` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`name`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `department` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`department`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), `location` = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(`location`, char(1564), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), '');
