DROP TABLE center_profiles;
DROP TABLE compliance_decisions;
DROP TABLE national_lists;
DROP TABLE suppression_entries;
DROP TABLE consents;
