-- One database per part: no table is shared, no foreign key crosses parts.
CREATE DATABASE gateway;
CREATE DATABASE ideas;
CREATE DATABASE voting;
CREATE DATABASE followup;
