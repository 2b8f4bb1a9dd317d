# An admin host with an EIP in a public subnet; its group admits ssh from the
# offices prefix list, which holds one office.

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "admin" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_route_table" "admin" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "admin" {
  subnet_id      = aws_subnet.admin.id
  route_table_id = aws_route_table.admin.id
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5

  entry {
    cidr        = "203.0.113.0/24"
    description = "HQ"
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
  # no egress
}

resource "aws_instance" "admin" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.admin.id
  private_ip             = "10.0.1.10"
  vpc_security_group_ids = [aws_security_group.admin.id]
}

resource "aws_eip" "admin" {
  domain   = "vpc"
  instance = aws_instance.admin.id
}
