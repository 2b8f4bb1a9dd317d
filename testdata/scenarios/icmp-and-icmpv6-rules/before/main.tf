resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# Inline style. For ICMP, from_port is the type and to_port the code.
resource "aws_security_group" "inline_icmp" {
  name        = "inline-icmp"
  description = "ICMP via inline rules"
  vpc_id      = aws_vpc.main.id

  ingress {
    description      = "ping6"
    protocol         = "icmpv6"
    from_port        = 128
    to_port          = 0
    ipv6_cidr_blocks = ["::/0"]
  }
}

# vpc_security_group_*_rule style.
resource "aws_security_group" "rule_icmp" {
  name        = "rule-icmp"
  description = "ICMP via rule resources"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "rule_ping6" {
  security_group_id = aws_security_group.rule_icmp.id
  ip_protocol       = "icmpv6"
  from_port         = 128
  to_port           = 0
  cidr_ipv6         = "2001:db8::/32"
}
