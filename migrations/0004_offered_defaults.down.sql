DROP TABLE role_permission_defaults;
