DROP TABLE script_versions;
