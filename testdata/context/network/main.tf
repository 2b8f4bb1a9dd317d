# The network a team already runs: another Terraform configuration (or the console)
# manages it. The plans of the scenarios beside this folder refer to it by id only;
# scripts/generate-context-fixtures.sh applies it to moto and describes it.
#
# Dual-stack VPC 10.0.0.0/16:
# - public subnet 10.0.1.0/24 (+ IPv6 /64), public addresses on launch, its own
#   route table (0.0.0.0/0 and ::/0 to the internet gateway) and its own ACL;
# - private subnet 10.0.2.0/24, no association: the main route table (local routes
#   only) and the default ACL;
# - groups web (tcp 80, 443 from anywhere, all out), admin (tcp 22 from the office
#   prefix list) and db (tcp 5432 from web);
# - instances web1 (public, Elastic IP) and db (private).

resource "aws_vpc" "main" {
  cidr_block                       = "10.0.0.0/16"
  assign_generated_ipv6_cidr_block = true
  tags                             = { Name = "shared" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  ipv6_cidr_block         = cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 1)
  map_public_ip_on_launch = true
  availability_zone       = "us-east-1a"
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

# Order matters: SSH is allowed from the head office (80) before it is denied from
# everywhere (90); the branch office in the prefix list below is denied. IPv6 gets
# HTTPS (110) and replies to outbound TCP (120); anything else over IPv6 meets the
# implicit final deny.
resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public.id]

  ingress {
    rule_no    = 80
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "198.51.100.0/24"
  }

  ingress {
    rule_no    = 90
    action     = "deny"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no         = 110
    action          = "allow"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    ipv6_cidr_block = "::/0"
  }

  ingress {
    rule_no         = 120
    action          = "allow"
    protocol        = "tcp"
    from_port       = 1024
    to_port         = 65535
    ipv6_cidr_block = "::/0"
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }

  egress {
    rule_no         = 101
    action          = "allow"
    protocol        = "-1"
    from_port       = 0
    to_port         = 0
    ipv6_cidr_block = "::/0"
  }
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5

  entry {
    cidr        = "198.51.100.0/24"
    description = "head office"
  }

  entry {
    cidr        = "203.0.113.0/24"
    description = "branch"
  }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web servers"
  vpc_id      = aws_vpc.main.id

  ingress {
    protocol         = "tcp"
    from_port        = 80
    to_port          = 80
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    protocol         = "tcp"
    from_port        = 443
    to_port          = 443
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    protocol         = "-1"
    from_port        = 0
    to_port          = 0
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "admin" {
  name        = "admin"
  description = "ssh from the offices"
  vpc_id      = aws_vpc.main.id

  ingress {
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    prefix_list_ids = [aws_ec2_managed_prefix_list.office.id]
  }
}

resource "aws_security_group" "db" {
  name        = "db"
  description = "postgres from the web servers"
  vpc_id      = aws_vpc.main.id

  ingress {
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.web.id]
  }
}

resource "aws_instance" "web1" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  private_ip             = "10.0.1.10"
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = { Name = "web1" }
}

resource "aws_eip" "web1" {
  domain   = "vpc"
  instance = aws_instance.web1.id
}

resource "aws_instance" "db" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  private_ip             = "10.0.2.10"
  vpc_security_group_ids = [aws_security_group.db.id]
  tags                   = { Name = "db" }
}

# What the app plans are given as variables (written to network.auto.tfvars.json) and
# what the tests put into the expected flows (`{name}` in a scenario's README).
output "vpc_id" { value = aws_vpc.main.id }
output "vpc_ipv6" { value = aws_vpc.main.ipv6_cidr_block }
output "public_subnet_id" { value = aws_subnet.public.id }
output "public_subnet_ipv6" { value = aws_subnet.public.ipv6_cidr_block }
output "private_subnet_id" { value = aws_subnet.private.id }
output "web_sg_id" { value = aws_security_group.web.id }
output "admin_sg_id" { value = aws_security_group.admin.id }
output "db_sg_id" { value = aws_security_group.db.id }
output "office_pl_id" { value = aws_ec2_managed_prefix_list.office.id }
output "web1_instance_id" { value = aws_instance.web1.id }
output "db_instance_id" { value = aws_instance.db.id }
