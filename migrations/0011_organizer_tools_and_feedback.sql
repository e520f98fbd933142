CREATE TABLE `petition_co_organizers` (
	`petition_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`added_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`petition_id`, `person_id`),
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`added_by_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `co_organizers_person_idx` ON `petition_co_organizers` (`person_id`);--> statement-breakpoint
CREATE TABLE `petition_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`petition_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`email_cursor` integer DEFAULT 0 NOT NULL,
	`emails_done_at` integer,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `petition_updates_petition_idx` ON `petition_updates` (`petition_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `petition_updates_emails_pending_idx` ON `petition_updates` (`id`) WHERE emails_done_at is null;--> statement-breakpoint
CREATE TABLE `policy_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`policy_id` integer NOT NULL,
	`version_id` integer,
	`author_id` integer NOT NULL,
	`anonymous` integer DEFAULT false NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`rating` integer,
	`status` text DEFAULT 'new' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `policy_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `policy_feedback_policy_idx` ON `policy_feedback` (`policy_id`,`id`);--> statement-breakpoint
CREATE INDEX `policy_feedback_author_idx` ON `policy_feedback` (`author_id`,`id`);--> statement-breakpoint
CREATE TABLE `policy_feedback_replies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`feedback_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`feedback_id`) REFERENCES `policy_feedback`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `policy_feedback_replies_feedback_idx` ON `policy_feedback_replies` (`feedback_id`,`id`);--> statement-breakpoint
CREATE TABLE `policy_feedback_tags` (
	`feedback_id` integer NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`feedback_id`, `tag`),
	FOREIGN KEY (`feedback_id`) REFERENCES `policy_feedback`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `outbox` ADD `petition_id` integer;--> statement-breakpoint
CREATE INDEX `outbox_petition_idx` ON `outbox` (`petition_id`,`kind`,`status`) WHERE petition_id is not null;--> statement-breakpoint
ALTER TABLE `petitions` ADD `won_at` integer;--> statement-breakpoint
CREATE VIEW `petition_organizers` AS
  SELECT `id` AS `petition_id`, `creator_id` AS `person_id` FROM `petitions`
  UNION SELECT `petition_id`, `person_id` FROM `petition_co_sponsors`
  UNION SELECT `petition_id`, `person_id` FROM `petition_co_organizers`;
