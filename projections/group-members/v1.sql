-- Groups and their members (projection "group-members", version 1). A group row has member ''.
CREATE TABLE {{table}} (
  group_name text NOT NULL,
  user_id    text NOT NULL,
  PRIMARY KEY (group_name, user_id)
);
CREATE INDEX ON {{table}} (user_id);
