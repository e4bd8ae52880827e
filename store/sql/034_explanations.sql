-- Every finding and gate decision explains itself: which rule (the detector's check and the
-- classifier's rule and action class), the target, why it matters and what would have been
-- fine instead (model/finding.ts; texts from detect/explain/alternatives.yaml). Rows written
-- before this migration read '' for each: they never had one.
-- Placeholder {database} is substituted by the migration runner.
ALTER TABLE {database}.findings
    ADD COLUMN IF NOT EXISTS rule String AFTER evidence,
    ADD COLUMN IF NOT EXISTS target String AFTER rule,
    ADD COLUMN IF NOT EXISTS why String AFTER target,
    ADD COLUMN IF NOT EXISTS instead String AFTER why;

ALTER TABLE {database}.gate_decisions
    ADD COLUMN IF NOT EXISTS rule String AFTER finding_ids,
    ADD COLUMN IF NOT EXISTS target String AFTER rule,
    ADD COLUMN IF NOT EXISTS why String AFTER target,
    ADD COLUMN IF NOT EXISTS instead String AFTER why;
