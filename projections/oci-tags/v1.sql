-- OCI tags (projection "oci-tags", version 1): tag -> manifest digest per image name.
CREATE TABLE {{table}} (
  repository  text        NOT NULL,
  name        text        NOT NULL,
  tag         text        NOT NULL,
  digest      text        NOT NULL,
  PRIMARY KEY (repository, name, tag)
);
