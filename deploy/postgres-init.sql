-- One database per service (the registry's is created by POSTGRES_DB).
CREATE DATABASE kyodo_events;
CREATE DATABASE kyodo_matching;
CREATE DATABASE kyodo_gateway;
