CREATE TABLE `identity_link_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`email` text NOT NULL,
	`protocol` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`account_name` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identity_link_requests_token_unique` ON `identity_link_requests` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `identity_link_requests_account_unique` ON `identity_link_requests` (`email`,`issuer`,`subject`);--> statement-breakpoint
CREATE TABLE `oidc_sign_ins` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
