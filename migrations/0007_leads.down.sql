DROP TABLE lead_mappings;
DROP TABLE lead_import_chunks;
DROP TABLE lead_imports;
DROP TABLE leads;
DROP INDEX campaigns_id_org;
