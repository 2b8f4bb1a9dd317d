resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private_a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.10.0/24"
}

resource "aws_subnet" "private_b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.11.0/24"
}

resource "aws_network_acl" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_network_acl_association" "private_a" {
  network_acl_id = aws_network_acl.private.id
  subnet_id      = aws_subnet.private_a.id
}

resource "aws_network_acl_rule" "in_https" {
  network_acl_id = aws_network_acl.private.id
  rule_number    = 100
  rule_action    = "allow"
  protocol       = "tcp"
  cidr_block     = "10.0.0.0/16"
  from_port      = 443
  to_port        = 443
}

resource "aws_network_acl_rule" "in_ssh" {
  network_acl_id = aws_network_acl.private.id
  rule_number    = 110
  rule_action    = "allow"
  protocol       = "tcp"
  cidr_block     = "10.0.0.0/16"
  from_port      = 22
  to_port        = 22
}

resource "aws_network_acl_rule" "out_ephemeral" {
  network_acl_id = aws_network_acl.private.id
  egress         = true
  rule_number    = 100
  rule_action    = "allow"
  protocol       = "tcp"
  cidr_block     = "10.0.0.0/16"
  from_port      = 1024
  to_port        = 65535
}

resource "aws_network_acl_rule" "out_dns" {
  network_acl_id = aws_network_acl.private.id
  egress         = true
  rule_number    = 110
  rule_action    = "allow"
  protocol       = "udp"
  cidr_block     = "0.0.0.0/0"
  from_port      = 53
  to_port        = 53
}
