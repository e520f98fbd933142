ALTER TABLE `signatures` ADD `ledger_signer` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Signatures made before this migration keep the pseudonym their ledger entry already has.
UPDATE `signatures` SET `ledger_signer` = (SELECT e.`signer` FROM `ledger_entries` e WHERE e.`petition_id` = `signatures`.`petition_id` AND e.`seq` = `signatures`.`ledger_seq`) WHERE `ledger_signer` = '';
