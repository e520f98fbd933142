-- wallet_passkeys is clustered by (person, credential), WITHOUT ROWID: no insertion order.
CREATE TABLE `wallet_passkeys` (
	`person_id` integer NOT NULL,
	`credential_id` text NOT NULL,
	`wrapped` text NOT NULL,
	`created_on` integer NOT NULL,
	PRIMARY KEY(`person_id`, `credential_id`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `wallets` (
	`person_id` integer PRIMARY KEY NOT NULL,
	`check` text NOT NULL,
	`created_on` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
