DROP TABLE sip_trunks;
