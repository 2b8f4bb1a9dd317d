resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5

  entry {
    cidr        = "203.0.113.0/24"
    description = "HQ"
  }

  entry {
    cidr        = "198.51.100.0/24"
    description = "branch"
  }
}

resource "aws_security_group" "admin" {
  name        = "admin"
  description = "admin hosts"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "ssh from the VPC"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/16"]
  }

  ingress {
    description     = "ssh from the offices"
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    prefix_list_ids = [aws_ec2_managed_prefix_list.office.id]
  }

  egress {
    description     = "https to S3 (AWS-managed prefix list com.amazonaws.us-east-1.s3)"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = ["pl-63a5400a"]
  }
}

resource "aws_security_group" "portal" {
  name        = "portal"
  description = "internal portal"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "portal_vpc" {
  security_group_id = aws_security_group.portal.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "portal_office" {
  security_group_id = aws_security_group.portal.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_ec2_managed_prefix_list.office.id
}
