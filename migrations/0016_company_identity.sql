CREATE TABLE `external_identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`protocol` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `external_identities_issuer_subject_unique` ON `external_identities` (`issuer`,`subject`);--> statement-breakpoint
CREATE UNIQUE INDEX `external_identities_person_protocol_unique` ON `external_identities` (`person_id`,`protocol`,`issuer`);--> statement-breakpoint
CREATE TABLE `saml_assertions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `saml_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scim_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`label` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scim_tokens_hash_unique` ON `scim_tokens` (`token_hash`);--> statement-breakpoint
ALTER TABLE `people` ADD `scim_user_name` text;--> statement-breakpoint
ALTER TABLE `people` ADD `external_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `people_scim_user_name_unique` ON `people` (`scim_user_name`) WHERE scim_user_name is not null;--> statement-breakpoint
ALTER TABLE `sessions` ADD `method` text DEFAULT 'email' NOT NULL;