resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.4.0/24"
}

# Inline rules.
resource "aws_security_group" "inline" {
  name        = "inline"
  description = "inline rules"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "http"
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["10.0.0.0/16"]
  }

  ingress {
    description = "dns"
    protocol    = "17"
    from_port   = 53
    to_port     = 53
    cidr_blocks = ["10.0.0.0/16"]
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# Legacy rule resources.
resource "aws_security_group" "legacy" {
  name        = "legacy"
  description = "aws_security_group_rule rules"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "legacy_https" {
  type              = "ingress"
  security_group_id = aws_security_group.legacy.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["10.0.0.0/16"]
}

resource "aws_security_group_rule" "legacy_egress" {
  type              = "egress"
  security_group_id = aws_security_group.legacy.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

# One-rule-per-resource style.
resource "aws_security_group" "modern" {
  name        = "modern"
  description = "vpc_security_group_*_rule rules"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "modern_ssh" {
  security_group_id = aws_security_group.modern.id
  description       = "ssh"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "modern_postgres" {
  security_group_id = aws_security_group.modern.id
  ip_protocol       = "6"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_egress_rule" "modern_all" {
  security_group_id = aws_security_group.modern.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_network_acl" "app" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.app.id]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/16"
    from_port  = 443
    to_port    = 443
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
