CREATE INDEX `signatures_standing_visibility_idx` ON `signatures` (`petition_id`,`visibility`) WHERE withdrawn_at is null and invalidated_at is null;--> statement-breakpoint
-- A petition's email counts read outbox(petition_id, kind, status) alone. Migration 0011 first created
-- this index on petition_id only and was then edited; a database migrated before that edit still has
-- the narrow one, so it is rebuilt here (a no-op rebuild on the others).
DROP INDEX IF EXISTS `outbox_petition_idx`;--> statement-breakpoint
CREATE INDEX `outbox_petition_idx` ON `outbox` (`petition_id`,`kind`,`status`) WHERE petition_id is not null;
